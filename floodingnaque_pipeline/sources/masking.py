"""Secrets out of URLs and logs: masked query parameters, masked passwords, shortened queries.

A query parameter is secret when its name is one of SECRET_KEYS or looks like a credential
(key, token, secret, password, auth, signature, ...). Values handed to `register_secret` are
also scrubbed from every line the HTTP loggers emit, whatever parameter carries them.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Mapping
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

SECRET_KEYS = ("appid", "apikey", "api_key")
MASK = "***"
# Beyond this the query string is cut in error messages; the debug log has it whole.
SHORT_QUERY_CHARS = 80
# Fragments of parameter names that carry credentials (Open-Meteo's own names have none).
_SECRET_NAME = re.compile(
    r"key|token|secret|passw|pwd|auth|signature|^sig$|appid|credential", re.IGNORECASE
)
_SECRET_IN_QUERY = re.compile(
    r"([?&;\s\"']?[\w.-]*(?:key|token|secret|passw|pwd|auth|signature|appid|credential)"
    r"[\w.-]*=)[^&\s\"']+",
    re.IGNORECASE,
)
_known_secrets: set[str] = set()
_known_lock = threading.Lock()


def is_secret_name(name: str, secret_keys: tuple[str, ...] = SECRET_KEYS) -> bool:
    return name.lower() in {k.lower() for k in secret_keys} or bool(_SECRET_NAME.search(name))


def register_secret(value: str) -> None:
    """Remember `value` so that scrub() (and the HTTP loggers) replace it wherever it shows."""
    if len(value) >= 4:  # shorter values would mask innocent text
        with _known_lock:
            _known_secrets.add(value)


def scrub(text: str) -> str:
    """`text` with secret-looking query values and every registered secret masked."""
    text = _SECRET_IN_QUERY.sub(r"\1" + MASK, text)
    with _known_lock:
        secrets = sorted(_known_secrets, key=len, reverse=True)
    for secret in secrets:
        text = text.replace(secret, MASK)
    return text


class _SecretQueryFilter(logging.Filter):
    """urllib3 logs every request line at DEBUG, query string (and API key) included."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            record.msg = record.getMessage()
            record.args = None
        record.msg = scrub(str(record.msg))
        return True


for _name in ("urllib3.connectionpool", "floodingnaque_pipeline.sources.http_client"):
    logging.getLogger(_name).addFilter(_SecretQueryFilter())


def mask_params(
    params: Mapping[str, object], secret_keys: tuple[str, ...] = SECRET_KEYS
) -> dict[str, str]:
    """Copy of `params` with secret values replaced by *** (key names case-insensitive)."""
    return {k: MASK if is_secret_name(k, secret_keys) else str(v) for k, v in params.items()}


def secret_query(url: str, secret_keys: tuple[str, ...] = SECRET_KEYS) -> dict[str, str]:
    """The secret-looking parameters already in `url`'s query string (name -> value)."""
    query = parse_qsl(urlsplit(url).query, keep_blank_values=True)
    return {k: v for k, v in query if is_secret_name(k, secret_keys)}


def masked_url(
    url: str, params: Mapping[str, object], secret_keys: tuple[str, ...] = SECRET_KEYS
) -> str:
    """`url` with `params` (and any query already in `url`) as a loggable string; a password in
    the URL (`https://user:pass@host`) is masked too. Without a query, `url` comes back as is."""
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
