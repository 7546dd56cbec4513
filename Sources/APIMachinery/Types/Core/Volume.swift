/// A named volume of a pod and where it comes from (one source is set).
public struct Volume: Sendable, Hashable, Codable {
    public var name: String?
    public var hostPath: HostPathVolumeSource?
    public var emptyDir: EmptyDirVolumeSource?
    public var secret: SecretVolumeSource?
    public var nfs: NFSVolumeSource?
    public var persistentVolumeClaim: PersistentVolumeClaimVolumeSource?
    public var downwardAPI: DownwardAPIVolumeSource?
    public var configMap: ConfigMapVolumeSource?
    public var projected: ProjectedVolumeSource?
    public var csi: CSIVolumeSource?
    public var ephemeral: EphemeralVolumeSource?

    public init(
        name: String? = nil, hostPath: HostPathVolumeSource? = nil, emptyDir: EmptyDirVolumeSource? = nil,
        secret: SecretVolumeSource? = nil, nfs: NFSVolumeSource? = nil,
        persistentVolumeClaim: PersistentVolumeClaimVolumeSource? = nil, downwardAPI: DownwardAPIVolumeSource? = nil,
        configMap: ConfigMapVolumeSource? = nil, projected: ProjectedVolumeSource? = nil,
        csi: CSIVolumeSource? = nil, ephemeral: EphemeralVolumeSource? = nil
    ) {
        self.name = name
        self.hostPath = hostPath
        self.emptyDir = emptyDir
        self.secret = secret
        self.nfs = nfs
        self.persistentVolumeClaim = persistentVolumeClaim
        self.downwardAPI = downwardAPI
        self.configMap = configMap
        self.projected = projected
        self.csi = csi
        self.ephemeral = ephemeral
    }
}

/// A file or directory on the node.
public struct HostPathVolumeSource: Sendable, Hashable, Codable {
    public var path: String?
    public var type: String?

    public init(path: String? = nil, type: String? = nil) {
        self.path = path
        self.type = type
    }
}

/// A scratch directory that lives as long as the pod.
public struct EmptyDirVolumeSource: Sendable, Hashable, Codable {
    public var medium: String?
    public var sizeLimit: Quantity?

    public init(medium: String? = nil, sizeLimit: Quantity? = nil) {
        self.medium = medium
        self.sizeLimit = sizeLimit
    }
}

/// A Secret's keys as files.
public struct SecretVolumeSource: Sendable, Hashable, Codable {
    public var secretName: String?
    public var items: [KeyToPath]?
    public var defaultMode: Int32?
    public var optional: Bool?

    public init(
        secretName: String? = nil, items: [KeyToPath]? = nil, defaultMode: Int32? = nil, optional: Bool? = nil
    ) {
        self.secretName = secretName
        self.items = items
        self.defaultMode = defaultMode
        self.optional = optional
    }
}

/// An NFS export.
public struct NFSVolumeSource: Sendable, Hashable, Codable {
    public var server: String?
    public var path: String?
    public var readOnly: Bool?

    public init(server: String? = nil, path: String? = nil, readOnly: Bool? = nil) {
        self.server = server
        self.path = path
        self.readOnly = readOnly
    }
}

/// A claim's volume.
public struct PersistentVolumeClaimVolumeSource: Sendable, Hashable, Codable {
    public var claimName: String?
    public var readOnly: Bool?

    public init(claimName: String? = nil, readOnly: Bool? = nil) {
        self.claimName = claimName
        self.readOnly = readOnly
    }
}

/// Pod fields as files.
public struct DownwardAPIVolumeSource: Sendable, Hashable, Codable {
    public var items: [DownwardAPIVolumeFile]?
    public var defaultMode: Int32?

    public init(items: [DownwardAPIVolumeFile]? = nil, defaultMode: Int32? = nil) {
        self.items = items
        self.defaultMode = defaultMode
    }
}

/// One pod field as a file.
public struct DownwardAPIVolumeFile: Sendable, Hashable, Codable {
    public var path: String?
    public var fieldRef: ObjectFieldSelector?
    public var resourceFieldRef: ResourceFieldSelector?
    public var mode: Int32?

    public init(
        path: String? = nil, fieldRef: ObjectFieldSelector? = nil, resourceFieldRef: ResourceFieldSelector? = nil,
        mode: Int32? = nil
    ) {
        self.path = path
        self.fieldRef = fieldRef
        self.resourceFieldRef = resourceFieldRef
        self.mode = mode
    }
}

/// A ConfigMap's keys as files.
public struct ConfigMapVolumeSource: Sendable, Hashable, Codable {
    public var name: String?
    public var items: [KeyToPath]?
    public var defaultMode: Int32?
    public var optional: Bool?

    public init(name: String? = nil, items: [KeyToPath]? = nil, defaultMode: Int32? = nil, optional: Bool? = nil) {
        self.name = name
        self.items = items
        self.defaultMode = defaultMode
        self.optional = optional
    }
}

/// One key projected to a relative path.
public struct KeyToPath: Sendable, Hashable, Codable {
    public var key: String?
    public var path: String?
    public var mode: Int32?

    public init(key: String? = nil, path: String? = nil, mode: Int32? = nil) {
        self.key = key
        self.path = path
        self.mode = mode
    }
}

/// Several sources projected into one directory.
public struct ProjectedVolumeSource: Sendable, Hashable, Codable {
    public var sources: [VolumeProjection]?
    public var defaultMode: Int32?

    public init(sources: [VolumeProjection]? = nil, defaultMode: Int32? = nil) {
        self.sources = sources
        self.defaultMode = defaultMode
    }
}

/// One projected source (one of the fields is set).
public struct VolumeProjection: Sendable, Hashable, Codable {
    public var secret: SecretProjection?
    public var downwardAPI: DownwardAPIProjection?
    public var configMap: ConfigMapProjection?
    public var serviceAccountToken: ServiceAccountTokenProjection?

    public init(
        secret: SecretProjection? = nil, downwardAPI: DownwardAPIProjection? = nil,
        configMap: ConfigMapProjection? = nil, serviceAccountToken: ServiceAccountTokenProjection? = nil
    ) {
        self.secret = secret
        self.downwardAPI = downwardAPI
        self.configMap = configMap
        self.serviceAccountToken = serviceAccountToken
    }
}

/// A Secret's keys in a projected volume.
public struct SecretProjection: Sendable, Hashable, Codable {
    public var name: String?
    public var items: [KeyToPath]?
    public var optional: Bool?

    public init(name: String? = nil, items: [KeyToPath]? = nil, optional: Bool? = nil) {
        self.name = name
        self.items = items
        self.optional = optional
    }
}

/// A ConfigMap's keys in a projected volume.
public struct ConfigMapProjection: Sendable, Hashable, Codable {
    public var name: String?
    public var items: [KeyToPath]?
    public var optional: Bool?

    public init(name: String? = nil, items: [KeyToPath]? = nil, optional: Bool? = nil) {
        self.name = name
        self.items = items
        self.optional = optional
    }
}

/// Pod fields in a projected volume.
public struct DownwardAPIProjection: Sendable, Hashable, Codable {
    public var items: [DownwardAPIVolumeFile]?

    public init(items: [DownwardAPIVolumeFile]? = nil) {
        self.items = items
    }
}

/// A bound service account token in a projected volume.
public struct ServiceAccountTokenProjection: Sendable, Hashable, Codable {
    public var audience: String?
    public var expirationSeconds: Int64?
    public var path: String?

    public init(audience: String? = nil, expirationSeconds: Int64? = nil, path: String? = nil) {
        self.audience = audience
        self.expirationSeconds = expirationSeconds
        self.path = path
    }
}

/// An inline CSI volume.
public struct CSIVolumeSource: Sendable, Hashable, Codable {
    public var driver: String?
    public var readOnly: Bool?
    public var fsType: String?
    public var volumeAttributes: [String: String]?
    public var nodePublishSecretRef: LocalObjectReference?

    public init(
        driver: String? = nil, readOnly: Bool? = nil, fsType: String? = nil,
        volumeAttributes: [String: String]? = nil, nodePublishSecretRef: LocalObjectReference? = nil
    ) {
        self.driver = driver
        self.readOnly = readOnly
        self.fsType = fsType
        self.volumeAttributes = volumeAttributes
        self.nodePublishSecretRef = nodePublishSecretRef
    }
}

/// A volume provisioned from a claim template for the pod's lifetime.
public struct EphemeralVolumeSource: Sendable, Hashable, Codable {
    public var volumeClaimTemplate: PersistentVolumeClaimTemplate?

    public init(volumeClaimTemplate: PersistentVolumeClaimTemplate? = nil) {
        self.volumeClaimTemplate = volumeClaimTemplate
    }
}

/// The claim an ephemeral volume creates.
public struct PersistentVolumeClaimTemplate: Sendable, Hashable, Codable {
    public var metadata: ObjectMeta
    public var spec: PersistentVolumeClaimSpec?

    public init(metadata: ObjectMeta = ObjectMeta(), spec: PersistentVolumeClaimSpec? = nil) {
        self.metadata = metadata
        self.spec = spec
    }

    enum CodingKeys: String, CodingKey {
        case metadata, spec
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        metadata = try container.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        spec = try container.decodeIfPresent(PersistentVolumeClaimSpec.self, forKey: .spec)
    }
}
