"""Turn whatever student code returned into plain data, and back.

The process that ran student code hands over only what this module encodes:
JSON with numbers, strings and arrays as raw bytes. Decoding trusts nothing:
every field is type-checked and sizes are capped, so a forged message can at
worst be judged wrong, never run code or crash the judge.
"""

from __future__ import annotations

import base64
import json
import math
import sys
from dataclasses import dataclass, field
from typing import Any

import numpy as np

MAX_ELEMENTS = 1_000_000
MAX_ITEMS = 100_000
RECORDED_JSON_BYTES = 64 * 1024
_NUMPY_SCALARS = (np.float16, np.float32, np.float64, np.int8, np.int16, np.int32, np.int64, np.uint8)
_NUMERIC_DTYPES = {"float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool"}


class ProbeError(Exception):
    """Stands for an exception raised by student code, reported as plain text."""


class MalformedProbeData(ValueError):
    """The data handed over by the student's process is not what encode() writes."""


@dataclass(frozen=True)
class Value:
    """A decoded probe result.

    kind is one of: none, ellipsis, bool, int, float, str, tensor, ndarray,
    list, error, other. For tensor and ndarray, ``array`` holds the data; for
    list, ``items`` holds Values; ``type_name`` names the original type.
    """

    kind: str
    type_name: str = ""
    number: float | None = None
    text: str = ""
    array: np.ndarray | None = None
    items: tuple["Value", ...] = ()
    requires_grad: bool = False
    has_grad_fn: bool = False
    is_leaf: bool = True
    torch_dtype: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def is_numeric_array(self) -> bool:
        return self.kind in ("tensor", "ndarray") and self.array is not None


def _array_payload(array: np.ndarray) -> dict:
    array = np.array(array, order="C", copy=True)
    if array.dtype.name not in _NUMERIC_DTYPES or array.size > MAX_ELEMENTS:
        raise TypeError(f"unsupported array {array.dtype.name}{list(array.shape)}")
    return {
        "dtype": array.dtype.name,
        "shape": list(array.shape),
        "data": base64.b64encode(array.tobytes()).decode("ascii"),
    }


def _tensor_payload(tensor: Any) -> dict:
    torch = _torch()
    # Read through the base class so a subclass's overrides never run here.
    base = torch.Tensor
    detached = base.detach(tensor)
    array = base.numpy(base.cpu(detached.to(torch.float64) if detached.is_floating_point() else detached))
    payload = _array_payload(np.array(array, copy=True))
    payload.update(
        requires_grad=bool(base.requires_grad.__get__(tensor)),
        has_grad_fn=base.grad_fn.__get__(tensor) is not None,
        is_leaf=bool(base.is_leaf.__get__(tensor)),
        torch_dtype=str(base.dtype.__get__(tensor)).replace("torch.", ""),
    )
    return payload


def encode(value: Any, *, depth: int = 0) -> dict:
    """Describe ``value`` as JSON-safe plain data (never raises for odd values)."""
    value_type = type(value)
    name = f"{value_type.__module__}.{value_type.__qualname__}"
    try:
        if value_type is ProbeError:
            return {"kind": "error", "type": name, "text": str(value)[:300]}
        if value is None:
            return {"kind": "none", "type": name}
        if value is Ellipsis:
            return {"kind": "ellipsis", "type": name}
        if value_type is bool:
            return {"kind": "bool", "type": name, "number": float(value)}
        if value_type is int:
            return {"kind": "int", "type": name, "number": float(value)}
        if value_type is float:
            return {"kind": "float", "type": name, "number": value}
        if value_type is str:
            return {"kind": "str", "type": name, "text": value[:500]}
        if _is_exact_tensor(value):
            return {"kind": "tensor", "type": name, **_tensor_payload(value)}
        if value_type is np.ndarray:
            return {"kind": "ndarray", "type": name, **_array_payload(value)}
        if isinstance(value, np.generic) and value_type.__module__ == "numpy":
            return {"kind": "npscalar", "type": name, **_array_payload(np.asarray(value))}
        if value_type in (list, tuple) and depth == 0:
            items = list(value)[:MAX_ITEMS]
            return {"kind": "list", "type": name, "items": [encode(v, depth=1) for v in items]}
    except Exception as error:  # a hostile value must not stop the report
        return {"kind": "error", "type": name, "text": f"{type(error).__name__}: {error}"[:300]}
    return {"kind": "other", "type": name}


_TORCH: list = []


def _torch():
    """The torch module as first seen here, or None before anything imported it.

    Kept, not looked up again: the kit's grader encodes once before any
    student code runs, so a notebook that later swaps ``sys.modules["torch"]``
    for a fake cannot change what "a tensor" means here.
    """
    if not _TORCH and "torch" in sys.modules:
        _TORCH.append(sys.modules["torch"])
    return _TORCH[0] if _TORCH else None


def _is_exact_tensor(value: Any) -> bool:
    torch = _torch()
    if torch is None:
        return False
    # nn.Parameter is the one subclass a correct answer may legitimately return.
    return type(value) in (torch.Tensor, torch.nn.Parameter)


def as_number(value: Any) -> float | None:
    """``value`` as a float when it is a Python number, a NumPy scalar or a one-element tensor, else None.

    Tensors are read through ``torch.Tensor``'s own methods, so a subclass
    that lies about its value is never asked.
    """
    if type(value) in (float, int):
        return float(value)
    if type(value) in _NUMPY_SCALARS:  # np.float64 from a .sum(); exact types, so no subclass is asked
        return float(value)
    if _is_exact_tensor(value):
        torch = _torch()
        if torch.Tensor.numel(value) == 1:
            return float(torch.Tensor.item(torch.Tensor.detach(value)))
    return None


def number_series(value: Any) -> np.ndarray | None:
    """A list or tuple of numbers (see ``as_number``) as a float64 array, else None.

    A 1000-epoch loss list sent this way costs 8 bytes an entry instead of a
    JSON object per float.
    """
    if type(value) not in (list, tuple) or len(value) > MAX_ELEMENTS:
        return None
    numbers = [as_number(item) for item in value]
    return None if any(n is None for n in numbers) else np.array(numbers, dtype=np.float64)


def series_inside(value: Any) -> Any:
    """A returned tuple (or list) with each list of numbers in it as an array, else ``value``.

    ``encode`` keeps one level of lists, so the loss list inside ``(model, losses)``
    would arrive as "other" and compare equal to anything; as an array it is compared.
    """
    if type(value) not in (list, tuple):
        return value
    items = [(number_series(item) if type(item) in (list, tuple) else None) for item in value]
    return [item if series is None else series for item, series in zip(value, items)]


def encode_recorded(value: Any) -> dict:
    """A notebook variable kept for the feedback page, encoded: number lists as one array,
    anything too large as a stand-in (a huge ``losses`` list must not cost the notebook its scores)."""
    series = number_series(value)
    payload = encode(series if series is not None else value)
    if len(json.dumps(payload)) <= RECORDED_JSON_BYTES:
        return payload
    return {"kind": "other", "type": str(payload.get("type", ""))[:200]}


def _decode_array(payload: dict) -> np.ndarray:
    dtype, shape, data = payload.get("dtype"), payload.get("shape"), payload.get("data")
    if dtype not in _NUMERIC_DTYPES or not isinstance(shape, list) or not isinstance(data, str):
        raise MalformedProbeData("array fields missing or of the wrong type")
    if not all(isinstance(n, int) and 0 <= n <= MAX_ELEMENTS for n in shape) or len(shape) > 8:
        raise MalformedProbeData(f"bad array shape {shape!r:.80}")
    try:
        raw = base64.b64decode(data.encode("ascii"), validate=True)
    except ValueError as error:  # binascii.Error and UnicodeEncodeError both are
        raise MalformedProbeData("array data is not base64") from error
    count = math.prod(shape)  # exact: np.prod wraps around at 2**64, so (2**16,) * 4 would count 0
    if count > MAX_ELEMENTS or len(raw) != count * np.dtype(dtype).itemsize:
        raise MalformedProbeData("array data does not match its shape")
    return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()


def decode(payload: Any, *, depth: int = 0) -> Value:
    """Rebuild a Value from ``encode()`` output; raises MalformedProbeData."""
    if not isinstance(payload, dict) or not isinstance(payload.get("kind"), str):
        raise MalformedProbeData("probe value is not an object with a kind")
    kind, type_name = payload["kind"], str(payload.get("type", ""))[:200]
    if kind in ("none", "ellipsis", "other"):
        return Value(kind, type_name)
    if kind in ("bool", "int", "float"):
        number = payload.get("number")
        if not isinstance(number, (int, float)) or isinstance(number, bool):
            raise MalformedProbeData(f"{kind} without a number")
        return Value(kind, type_name, number=float(number))
    if kind in ("str", "error"):
        return Value(kind, type_name, text=str(payload.get("text", ""))[:500])
    if kind in ("tensor", "ndarray", "npscalar"):
        return Value(
            kind,
            type_name,
            array=_decode_array(payload),
            requires_grad=payload.get("requires_grad") is True,
            has_grad_fn=payload.get("has_grad_fn") is True,
            is_leaf=payload.get("is_leaf") is not False,
            torch_dtype=str(payload.get("torch_dtype", ""))[:40],
        )
    if kind == "list" and depth == 0 and isinstance(payload.get("items"), list):
        items = payload["items"][:MAX_ITEMS]
        return Value(kind, type_name, items=tuple(decode(item, depth=1) for item in items))
    raise MalformedProbeData(f"unknown probe value kind {kind!r:.40}")


def dumps(record: dict[str, Any]) -> str:
    """Serialise a mapping of names to encode() payloads."""
    return json.dumps(record, allow_nan=True, separators=(",", ":"))


def loads(text: str | bytes) -> dict[str, Value]:
    """Parse dumps() output into Values; raises MalformedProbeData."""
    try:
        record = json.loads(text)
    except (ValueError, UnicodeDecodeError) as error:
        raise MalformedProbeData(f"probe output is not JSON: {error}") from error
    if not isinstance(record, dict):
        raise MalformedProbeData("probe output is not an object")
    return {str(key)[:100]: decode(value) for key, value in record.items()}
