"""Array values: header + raw bytes round-trip for every supported dtype and shape; bad bytes refused."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from seqretrieve.errors import CorruptValueError, IndexStoreError
from seqretrieve.index.codec import DTYPE_CODES, decode_array, encode_array


@pytest.mark.parametrize("dtype", [d.str for d in DTYPE_CODES.values()] + [">f4", ">i8", ">u4", "=f8"])
@pytest.mark.parametrize("shape", [(), (0,), (7,), (3, 48), (0, 48), (2, 3, 4)])
def test_round_trip_dtypes_and_shapes(dtype, shape):
    array = (np.arange(int(np.prod(shape))) % 7).reshape(shape).astype(dtype)
    back = decode_array(encode_array(array))
    assert back.shape == array.shape
    assert back.dtype == np.dtype(dtype).newbyteorder("<")
    np.testing.assert_array_equal(back, array)


@settings(max_examples=60, deadline=None)
@given(hnp.arrays(
    dtype=st.sampled_from([np.float32, np.float64, np.uint32, np.int16, np.uint8, np.bool_]),
    shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=9),
))
def test_round_trip_property(array):
    back = decode_array(encode_array(array))
    np.testing.assert_array_equal(back, array)
    assert back.dtype == array.dtype


def test_non_contiguous_input_is_stored_in_c_order():
    array = np.arange(24, dtype=np.float32).reshape(4, 6)[:, ::2].T
    np.testing.assert_array_equal(decode_array(encode_array(array)), array)


def test_decoded_data_is_aligned_and_zero_copy():
    value = encode_array(np.ones((5, 3), np.float64))
    back = decode_array(value)
    assert back.flags.aligned
    assert not back.flags.writeable  # a view of the stored bytes


@pytest.mark.parametrize("dtype", [np.complex64, object, "U3"])
def test_unsupported_dtype_is_a_clear_error(dtype):
    with pytest.raises(IndexStoreError, match="cannot store arrays of dtype"):
        encode_array(np.zeros(3, dtype=dtype))


@pytest.mark.parametrize("mangle", [
    lambda v: v[:5],                      # shorter than the header
    lambda v: b"XXXX" + v[4:],            # bad magic
    lambda v: v[:4] + b"\xff" + v[5:],    # unknown dtype code
    lambda v: v[:-1],                     # data truncated
    lambda v: v + b"\0",                  # trailing bytes
    lambda v: v[:12],                     # truncated inside the shape
])
def test_corrupt_values_are_refused(mangle):
    value = encode_array(np.ones((4, 3), np.float32))
    with pytest.raises(CorruptValueError):
        decode_array(mangle(value))
