import Foundation

/// Why a file could not be read or written, in words ("Permission denied", "No such file"),
/// never Foundation's dump ("The operation could not be completed. (NSCocoaErrorDomain error
/// 512.)"). The one wording of file errors for every message.
public enum FileProblem {
    /// The C library's words for `errno` ("Permission denied").
    public static func words(errno code: Int32) -> String {
        String(cString: strerror(code))
    }

    /// Words for an error a Foundation file call threw: the POSIX reason underneath where there is
    /// one, else the Cocoa code's meaning; any other error's own description.
    public static func words(_ error: Error) -> String {
        if let posix = error as? POSIXError { return words(errno: posix.code.rawValue) }
        if let cocoa = error as? CocoaError {
            if let underlying = cocoa.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
                return words(errno: Int32(underlying.code))
            }
            if let underlying = cocoa.userInfo[NSUnderlyingErrorKey] as? POSIXError { return words(errno: underlying.code.rawValue) }
            return words(cocoa.code)
        }
        let bridged = error as NSError
        if bridged.domain == NSPOSIXErrorDomain { return words(errno: Int32(bridged.code)) }
        if bridged.domain == NSCocoaErrorDomain { return words(CocoaError.Code(rawValue: bridged.code)) }
        return String(describing: error)
    }

    /// Any error as one line: a Foundation file error as the file and its reason in words, any
    /// other error as its own description, control characters escaped.
    public static func message(_ error: Error) -> String {
        let bridged = error as NSError
        guard error is CocoaError || error is POSIXError || [NSCocoaErrorDomain, NSPOSIXErrorDomain].contains(bridged.domain) else {
            return OneLine.escape(String(describing: error))
        }
        let path = (bridged.userInfo[NSFilePathErrorKey] as? String) ?? (bridged.userInfo[NSURLErrorKey] as? URL)?.path
        return OneLine.escape((path.map { "\($0): " } ?? "") + words(error))
    }

    /// What a special file at `path` is ("a FIFO (named pipe)", "a character device"); nil for a
    /// regular file, a folder or nothing. Said instead of the permission words Foundation gives
    /// when such a file is listed or read as if it were a folder or a file.
    public static func specialKind(atPath path: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        switch info.st_mode & S_IFMT {
        case S_IFREG, S_IFDIR: return nil
        case S_IFIFO: return "a FIFO (named pipe)"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFSOCK: return "a socket"
        default: return "a special file"
        }
    }

    private static func words(_ code: CocoaError.Code) -> String {
        switch code {
        case .fileNoSuchFile, .fileReadNoSuchFile: "No such file"
        case .fileReadNoPermission, .fileWriteNoPermission: "Permission denied"
        case .fileWriteFileExists: "A file of that name is already there"
        case .fileWriteOutOfSpace: "No space left on device"
        case .fileWriteVolumeReadOnly: "Read-only file system"
        case .fileReadTooLarge: "The file is too large to read"
        case .fileReadCorruptFile: "The file is not in the expected format"
        case .fileReadInvalidFileName, .fileWriteInvalidFileName: "Not a valid file name"
        case .fileLocking: "The file is locked"
        case .fileReadUnknown, .fileReadInapplicableStringEncoding, .fileReadUnsupportedScheme: "It cannot be read"
        case .fileWriteUnknown, .fileWriteInapplicableStringEncoding, .fileWriteUnsupportedScheme: "It cannot be written"
        default: "File error \(code.rawValue)"
        }
    }
}
