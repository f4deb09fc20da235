"""Request limits of the serving API, in one place: validation, the OpenAPI document and /model-info read them."""

from __future__ import annotations

#: Most transactions (or feature rows) one /predict or /feedback request may carry.
MAX_BATCH = 1_000

#: Largest request body accepted, in bytes; a full batch of raw transactions is about 150 kB.
MAX_BODY_BYTES = 2 * 1024 * 1024

#: Largest transaction amount accepted: far above any card payment, low enough that window sums stay finite.
MAX_AMOUNT = 1_000_000_000.0

#: Largest customer/terminal id: ids are kept in 64-bit integer arrays by the serving state.
MAX_ID = 2**63 - 1

#: Longest transaction id, in characters.
MAX_TRANSACTION_ID_LENGTH = 128

#: Largest absolute value of a ready feature; keeps every model's arithmetic finite.
MAX_FEATURE_ABS = 1e12
