#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Thin POSIX file helpers whose failures name the file (and the offset where it matters).
package enum PosixFile {
    package static func failure(_ what: String, _ path: String) -> RaftError {
        RaftError(.storageFailure, "\(what) \(path): \(String(cString: strerror(errno)))")
    }

    package static func openFile(_ path: String, create: Bool) throws(RaftError) -> Int32 {
        let fd = create ? open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644) : open(path, O_RDWR | O_CLOEXEC)
        if fd < 0 { throw failure("cannot open", path) }
        return fd
    }

    package static func readAll(_ path: String) throws(RaftError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw failure("cannot open", path) }
        defer { close(fd) }
        var st = stat()
        if fstat(fd, &st) != 0 { throw failure("cannot stat", path) }
        let size = Int(st.st_size)
        var bytes = [UInt8](repeating: 0, count: size)
        var done = 0
        while done < size {
            let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, size - done, off_t(done)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw failure("cannot read at byte \(done) of", path)
            }
            if n == 0 { break }
            done += n
        }
        return Array(bytes[0..<done])
    }

    package static func write(_ fd: Int32, _ bytes: [UInt8], at offset: Int, path: String) throws(RaftError) {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress! + done, bytes.count - done, off_t(offset + done)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw failure("cannot write at byte \(offset + done) of", path)
            }
            done += n
        }
    }

    package static func sync(_ fd: Int32, path: String) throws(RaftError) {
        #if os(Linux)
        if fdatasync(fd) != 0 { throw failure("cannot fdatasync", path) }
        #else
        if fsync(fd) != 0 { throw failure("cannot fsync", path) }
        #endif
    }

    /// Reserves `size` bytes so appends do not change the file size (an fdatasync then flushes data only).
    package static func preallocate(_ fd: Int32, size: Int, path: String) throws(RaftError) {
        #if os(Linux)
        let result = posix_fallocate(fd, 0, off_t(size))
        if result != 0 && result != EOPNOTSUPP && result != EINVAL {
            errno = result
            throw failure("cannot preallocate", path)
        }
        #endif
    }

    package static func syncDirectory(_ path: String) throws(RaftError) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd < 0 { throw failure("cannot open directory", path) }
        defer { close(fd) }
        if fsync(fd) != 0 { throw failure("cannot fsync directory", path) }
    }

    package static func makeDirectory(_ path: String) throws(RaftError) {
        if mkdir(path, 0o755) != 0 && errno != EEXIST { throw failure("cannot create directory", path) }
    }

    package static func list(_ directory: String) throws(RaftError) -> [String] {
        guard let dir = opendir(directory) else { throw failure("cannot list", directory) }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    package static func remove(_ path: String) {
        unlink(path)
    }

    package static func renameFile(_ from: String, _ to: String) throws(RaftError) {
        if rename(from, to) != 0 { throw failure("cannot rename \(from) to", to) }
    }

    package static func truncate(_ fd: Int32, to size: Int, path: String) throws(RaftError) {
        if ftruncate(fd, off_t(size)) != 0 { throw failure("cannot truncate", path) }
    }
}
