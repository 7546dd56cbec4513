import APIMachinery
import Informers
import Reconcile

/// The sample custom resource: a website served by a Deployment of its image.
struct Website: Resource, Hashable {
    struct Spec: Codable, Sendable, Hashable {
        var image: String?
        var replicas: Int32?
    }

    struct Status: Codable, Sendable, Hashable {
        var observedGeneration: Int64?
        var deployment: String?
    }

    static let descriptor = ResourceDescriptor(
        group: "example.com", version: "v1", kind: "Website", plural: "websites", hasStatus: true)

    var metadata: ObjectMeta
    var spec: Spec?
    var status: Status?

    init(name: String, namespace: String = "default", image: String?, replicas: Int32 = 1) {
        metadata = ObjectMeta(name: name, namespace: namespace)
        spec = Spec(image: image, replicas: replicas)
    }

    mutating func prepareForCreate() { status = nil }
}

struct WebsiteError: Error, CustomStringConvertible {
    var description: String
}

/// A controller-runtime-style reconciler: reads the Website from the informer cache, makes the Deployment
/// it owns match it, records what it did as Events, and reports progress in the Website's status.
struct WebsiteReconciler: Reconciler {
    let client: Client
    let websites: Lister<Website>
    let recorder: EventRecorder

    func reconcile(_ request: Request) async throws -> ReconcileResult {
        guard let website = websites.get(request.name, namespace: request.namespace),
            website.metadata.deletionTimestamp == nil
        else {
            return .done  // gone or going: the garbage collector removes its Deployment
        }
        guard let image = website.spec?.image, !image.isEmpty else {
            await recorder.record(website, type: .warning, reason: "InvalidSpec", message: "spec.image is required")
            throw TerminalError(WebsiteError(description: "spec.image is required"))
        }
        let replicas = website.spec?.replicas ?? 1
        let deployments = client.resource(Deployment.self, namespace: request.namespace)
        do {
            var deployment = try await deployments.get(request.name)
            guard deployment.metadata.controllerReference?.uid == website.metadata.uid else {
                await recorder.record(website, type: .warning, reason: "NotOwned",
                    message: "deployment \(request.name) exists and is not controlled by this website")
                throw TerminalError(WebsiteError(description: "deployment \(request.name) is not ours"))
            }
            let container = deployment.spec?.template?.spec?.containers?.first
            if deployment.spec?.replicas != replicas || container?.image != image {
                deployment.spec?.replicas = replicas
                deployment.spec?.template?.spec?.containers = [Container(name: "web", image: image)]
                _ = try await deployments.update(deployment)
                await recorder.record(website, reason: "Updated", message: "deployment \(request.name): \(replicas) × \(image)")
            }
        } catch let error as APIError where error.code == 404 {
            _ = try await deployments.create(desiredDeployment(for: website, image: image, replicas: replicas))
            await recorder.record(website, reason: "Created", message: "deployment \(request.name): \(replicas) × \(image)")
        }
        if website.status?.observedGeneration != website.metadata.generation {
            var updated = website
            updated.status = Website.Status(observedGeneration: website.metadata.generation, deployment: request.name)
            // A conflict means the cache was behind a write: look again once it has caught up.
            guard try await writeStatus(updated) else { return .requeue }
        }
        return .done
    }

    /// Writes the status; false on a conflict.
    func writeStatus(_ website: Website) async throws(APIError) -> Bool {
        do {
            _ = try await client.resource(Website.self, namespace: website.metadata.namespace).updateStatus(website)
            return true
        } catch where error.code == 409 {
            return false
        }
    }

    func desiredDeployment(for website: Website, image: String, replicas: Int32) -> Deployment {
        let labels = ["app.kubernetes.io/name": website.metadata.name]
        return Deployment(
            metadata: ObjectMeta(name: website.metadata.name, namespace: website.metadata.namespace, labels: labels,
                ownerReferences: [OwnerReferences.controllerReference(to: website)]),
            spec: DeploymentSpec(
                replicas: replicas, selector: LabelSelector(matchLabels: labels),
                template: PodTemplateSpec(metadata: ObjectMeta(labels: labels),
                    spec: PodSpec(containers: [Container(name: "web", image: image)]))))
    }
}

extension TestEnvironment {
    /// Registers the Website type and its controller, as an operator's `main` would.
    @discardableResult
    func startWebsiteController(client: Client? = nil, options: ControllerOptions = ControllerOptions()) throws -> Controller {
        try register(Website.self)
        let websites = manager.informers.informer(for: Website.self).lister
        return controller(for: Website.self)
            .owns(Deployment.self)
            .withPredicates(.generationChanged)
            .withOptions(options)
            .complete(WebsiteReconciler(client: client ?? self.client, websites: websites,
                recorder: eventRecorder(component: "website-controller")))
    }
}
