"""Secrets out of URLs and logs: masked query parameters, masked passwords, shortened queries."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

SECRET_KEYS = ("appid", "apikey", "api_key")
MASK = "***"
# Beyond this the query string is cut in error messages; the debug log has it whole.
SHORT_QUERY_CHARS = 80


class _SecretQueryFilter(logging.Filter):
    """urllib3 logs every request line at DEBUG, query string (and API key) included."""

    pattern = re.compile(r"((?:" + "|".join(SECRET_KEYS) + r")=)[^&\s\"]+", re.IGNORECASE)

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            record.msg = record.getMessage()
            record.args = None
        record.msg = self.pattern.sub(r"\1" + MASK, str(record.msg))
        return True


logging.getLogger("urllib3.connectionpool").addFilter(_SecretQueryFilter())


def mask_params(
    params: Mapping[str, object], secret_keys: tuple[str, ...] = SECRET_KEYS
) -> dict[str, str]:
    """Copy of `params` with secret values replaced by *** (key names case-insensitive)."""
    secret = {k.lower() for k in secret_keys}
    return {k: MASK if k.lower() in secret else str(v) for k, v in params.items()}


def masked_url(
    url: str, params: Mapping[str, object], secret_keys: tuple[str, ...] = SECRET_KEYS
) -> str:
    """`url` with `params` (and any query already in `url`) as a loggable string; a password in
    the URL (`https://user:pass@host`) is masked too."""
    parts = urlsplit(url)
    query = mask_params(dict(parse_qsl(parts.query)) | dict(params), secret_keys)
    netloc = parts.netloc
    if parts.password is not None:
        netloc = f"{parts.username}:{MASK}@{netloc.rpartition('@')[2]}"
    return urlunsplit(parts._replace(netloc=netloc, query=urlencode(query, safe=",*")))


def shorten_url(url: str, limit: int = SHORT_QUERY_CHARS) -> str:
    """`url` with its query string cut to `limit` characters, saying how much was left out.
    Open-Meteo requests for 100 locations carry queries of several kilobytes."""
    base, sep, query = url.partition("?")
    if len(query) <= limit:
        return url
    return f"{base}{sep}{query[:limit]}...(+{len(query) - limit} chars)"
