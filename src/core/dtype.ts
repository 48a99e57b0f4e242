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

/**
 * What a blob holds on the GPU. WGSL has f32, i32 and u32 storage and nothing narrower, so a uint8
 * tensor (image data) is stored packed, four elements to a u32 word, element i in byte i % 4
 * (little-endian) of word i / 4; kernels that read it unpack the byte.
 */
export type DType = 'float32' | 'int32' | 'uint8';

/** The WGSL scalar type of one storage word of a dtype (a uint8 word holds four elements). */
export function wgslType(dtype: DType): 'f32' | 'i32' | 'u32' {
  return dtype === 'float32' ? 'f32' : dtype === 'int32' ? 'i32' : 'u32';
}

/** 4-byte storage words that `count` elements of a dtype occupy. */
export function storageWords(dtype: DType, count: number): number {
  return dtype === 'uint8' ? Math.ceil(count / 4) : count;
}

/** Name of a Caffe2 DataType number, for messages. */
export function dataTypeName(value: number): string {
  const entry = Object.entries(DataType).find(([, v]) => v === value);
  return entry ? entry[0] : `DataType(${value})`;
}

/** The DataType number of a name, case-insensitive ("FLOAT", "int32"), as Caffe2's Cast reads `to`. */
export function dataTypeFromName(name: string): number | undefined {
  const key = name.toUpperCase();
  return Object.hasOwn(DataType, key) ? DataType[key as keyof typeof DataType] : undefined;
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
export type TypedArrayFor<D extends DType> = D extends 'float32' ? Float32Array : D extends 'int32' ? Int32Array : Uint8Array;

/** Host arrays the runtime writes to the GPU (backed by a plain ArrayBuffer; uint8 padded to whole words). */
export type HostArray = Float32Array<ArrayBuffer> | Int32Array<ArrayBuffer> | Uint8Array<ArrayBuffer>;
