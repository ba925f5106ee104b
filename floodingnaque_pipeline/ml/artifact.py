"""Model artifacts as bytes: skops format, checked by sha256, loaded with a type allow-list.

Never pickle: bytes read from a database are untrusted, and unpickling runs arbitrary code.
skops only rebuilds objects of types we allow; anything else refuses to load.
"""

from __future__ import annotations

import hashlib
from typing import Any

# Module prefixes whose types a stored model may contain (scikit-learn estimators, arrays).
TRUSTED_PREFIXES = ("sklearn.", "numpy.", "scipy.")


class UntrustedArtifact(ValueError):
    """The bytes changed since they were stored, or hold types outside the allow-list."""


def dump(model: Any) -> tuple[bytes, str]:
    # lazy import: the code location loads without it (issue 21 item 6)
    import skops.io as sio

    data = sio.dumps(model)
    return data, hashlib.sha256(data).hexdigest()


def load(data: bytes, sha256: str) -> Any:
    if hashlib.sha256(data).hexdigest() != sha256:
        raise UntrustedArtifact("artifact sha256 does not match the stored digest")
    import skops.io as sio

    untrusted = sio.get_untrusted_types(data=data)
    refused = [t for t in untrusted if not t.startswith(TRUSTED_PREFIXES)]
    if refused:
        raise UntrustedArtifact(f"artifact holds types outside the allow-list: {refused}")
    return sio.loads(data, trusted=untrusted)
