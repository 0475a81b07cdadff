import Foundation
import SwiftProtobuf

/// An ONNX tensor read into plain values: float32 as floats, int64/int32 (shapes, pads) as integers.
struct ONNXTensor {
    var shape: [Int]
    var floats: [Float]?
    var integers: [Int]?

    /// ONNX's TensorProto.DataType numbers.
    static let float32: Int32 = 1, int32: Int32 = 6, int64: Int32 = 7
    static let typeNames: [Int32: String] = [
        1: "float32", 2: "uint8", 3: "int8", 4: "uint16", 5: "int16", 6: "int32", 7: "int64", 8: "string",
        9: "bool", 10: "float16", 11: "float64", 12: "uint32", 13: "uint64", 16: "bfloat16",
    ]

    static func typeName(_ type: Int32) -> String { typeNames[type] ?? "type \(type)" }

    var count: Int { shape.reduce(1, *) }

    /// The most values lens reads into one tensor, or lets one layer's item hold (a GiB of float32).
    static let maximumElements = 1 << 28

    /// The product of `shape`, nil when a size is negative or the product exceeds `maximumElements`
    /// (a hostile file's dims must not overflow the arithmetic that follows).
    static func elementCount(_ shape: [Int]) -> Int? {
        var total = 1
        for size in shape {
            guard size >= 0 else { return nil }
            let (product, overflow) = total.multipliedReportingOverflow(by: size)
            guard !overflow, product <= maximumElements else { return nil }
            total = product
        }
        return total
    }

    /// Reads `proto`; external data and element types other than float32, int32 and int64 are refused.
    init(_ proto: Onnx_TensorProto) throws {
        guard proto.dataLocation != .external, proto.externalData.isEmpty else {
            throw NodeProblem("tensor \"\(proto.name)\" keeps its data in an external file; save the model as one file "
                              + "(onnx.save_model(model, path, save_as_external_data=False))")
        }
        shape = proto.dims.map { Int($0) }
        guard let count = Self.elementCount(shape) else {
            throw NodeProblem("tensor \"\(proto.name)\" has shape \(shape), which is negative or above \(Self.maximumElements) values")
        }
        switch proto.dataType {
        case Self.float32:
            if !proto.rawData.isEmpty {
                guard proto.rawData.count == count * 4 else { throw NodeProblem("tensor \"\(proto.name)\" holds \(proto.rawData.count) bytes for shape \(shape)") }
                floats = proto.rawData.withUnsafeBytes { raw in
                    (0..<count).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
                }
            } else {
                floats = proto.floatData
            }
            guard floats?.count == count else { throw NodeProblem("tensor \"\(proto.name)\" holds \(floats?.count ?? 0) values for shape \(shape)") }
        case Self.int64, Self.int32:
            let width = proto.dataType == Self.int64 ? 8 : 4
            if !proto.rawData.isEmpty {
                guard proto.rawData.count == count * width else { throw NodeProblem("tensor \"\(proto.name)\" holds \(proto.rawData.count) bytes for shape \(shape)") }
                integers = proto.rawData.withUnsafeBytes { raw in
                    (0..<count).map { index in
                        width == 8 ? Int(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: index * 8, as: Int64.self)))
                            : Int(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: index * 4, as: Int32.self)))
                    }
                }
            } else {
                integers = proto.dataType == Self.int64 ? proto.int64Data.map { Int($0) } : proto.int32Data.map { Int($0) }
            }
            guard integers?.count == count else { throw NodeProblem("tensor \"\(proto.name)\" holds \(integers?.count ?? 0) values for shape \(shape)") }
        default:
            throw NodeProblem("tensor \"\(proto.name)\" holds \(Self.typeName(proto.dataType)); lens reads float32 models "
                              + "(export with model.float())")
        }
    }

    init(shape: [Int], floats: [Float]) {
        self.shape = shape
        self.floats = floats
    }
}
