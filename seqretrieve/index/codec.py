"""Array values of the index: a small fixed header + raw little-endian bytes; never pickle.

Layout (all little-endian)::

    magic  4 bytes  b"SQA1"
    dtype  1 byte   code from DTYPE_CODES
    ndim   1 byte
    pad    2 bytes  zero
    shape  ndim x uint64
    data   prod(shape) * itemsize bytes, C order

The header is a multiple of 8 bytes, so the data is aligned for any dtype.
"""

from __future__ import annotations

import struct

import numpy as np

from ..errors import CorruptValueError, IndexStoreError

MAGIC = b"SQA1"
_HEAD = struct.Struct("<4sBBxx")

#: dtype code (stored byte) -> little-endian numpy dtype; codes never change meaning.
DTYPE_CODES: dict[int, np.dtype] = {
    1: np.dtype("<f4"),
    2: np.dtype("<f8"),
    3: np.dtype("<f2"),
    4: np.dtype("i1"),
    5: np.dtype("<i2"),
    6: np.dtype("<i4"),
    7: np.dtype("<i8"),
    8: np.dtype("u1"),
    9: np.dtype("<u2"),
    10: np.dtype("<u4"),
    11: np.dtype("<u8"),
    12: np.dtype("?"),
}
_CODE_OF = {dtype: code for code, dtype in DTYPE_CODES.items()}



def encode_array(array: np.ndarray) -> bytes:
    """Header + raw bytes of ``array`` (any shape, a dtype of ``DTYPE_CODES``)."""
    array = np.asarray(array)
    code = _CODE_OF.get(array.dtype.newbyteorder("<"))
    if code is None:
        raise IndexStoreError(f"cannot store arrays of dtype {array.dtype} in the index")
    if array.ndim > 255:
        raise IndexStoreError(f"cannot store arrays with {array.ndim} dimensions in the index")
    data = np.ascontiguousarray(array, dtype=DTYPE_CODES[code])
    shape = struct.pack(f"<{array.ndim}Q", *array.shape)
    return _HEAD.pack(MAGIC, code, array.ndim) + shape + data.tobytes()


def decode_array(value: bytes | memoryview) -> np.ndarray:
    """The array stored by :func:`encode_array` (read-only view of ``value``'s bytes)."""
    if len(value) < _HEAD.size:
        raise CorruptValueError(f"stored array value too short ({len(value)} bytes)")
    magic, code, ndim = _HEAD.unpack_from(value)
    if magic != MAGIC or code not in DTYPE_CODES:
        raise CorruptValueError("stored array value has a bad header (magic or dtype)")
    offset = _HEAD.size + 8 * ndim
    if len(value) < offset:
        raise CorruptValueError("stored array value truncated inside its shape")
    shape = struct.unpack_from(f"<{ndim}Q", value, _HEAD.size)
    dtype = DTYPE_CODES[code]
    expected = offset + int(np.prod(shape, dtype=np.uint64)) * dtype.itemsize
    if len(value) != expected:
        raise CorruptValueError(
            f"stored array value has {len(value)} bytes, its header {shape} {dtype} needs {expected}"
        )
    return np.frombuffer(value, dtype=dtype, offset=offset).reshape(shape)
