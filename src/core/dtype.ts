/** Caffe2's TensorProto.DataType numbers, as `core.DataType` exposes them. */
export const DataType = {
  UNDEFINED: 0,
  FLOAT: 1,
  INT32: 2,
  BYTE: 3,
  STRING: 4,
  BOOL: 5,
  UINT8: 6,
  INT8: 7,
  UINT16: 8,
  INT16: 9,
  INT64: 10,
  FLOAT16: 12,
  DOUBLE: 13,
} as const;

export type DataTypeValue = (typeof DataType)[keyof typeof DataType];

/** What a blob holds on the GPU: WGSL has f32 and i32 storage, nothing narrower without features. */
export type DType = 'float32' | 'int32';

/** The WGSL scalar type that stores a dtype. */
export function wgslType(dtype: DType): 'f32' | 'i32' {
  return dtype === 'float32' ? 'f32' : 'i32';
}

/** Name of a Caffe2 DataType number, for messages. */
export function dataTypeName(value: number): string {
  const entry = Object.entries(DataType).find(([, v]) => v === value);
  return entry ? entry[0] : `DataType(${value})`;
}

/**
 * Maps a Caffe2 DataType onto the dtype that stores it on the GPU, or null when it cannot be stored.
 * INT64 and BOOL live in i32 (values are range-checked where they enter); DOUBLE becomes f32.
 */
export function storageDType(value: number): DType | null {
  switch (value) {
    case DataType.FLOAT:
    case DataType.DOUBLE:
    case DataType.FLOAT16:
      return 'float32';
    case DataType.INT32:
    case DataType.INT64:
    case DataType.BOOL:
    case DataType.INT8:
    case DataType.INT16:
    case DataType.UINT8:
    case DataType.UINT16:
    case DataType.BYTE:
      return 'int32';
    default:
      return null;
  }
}

export const INT32_MIN = -2147483648;
export const INT32_MAX = 2147483647;

/** Host typed array for a dtype. */
export type TypedArrayFor<D extends DType> = D extends 'float32' ? Float32Array : Int32Array;

/** Host arrays the runtime writes to the GPU (backed by a plain ArrayBuffer). */
export type HostArray = Float32Array<ArrayBuffer> | Int32Array<ArrayBuffer>;
