"""Type stub of screening's compiled batch loops (``_fast.pyx``)."""

from collections.abc import Iterable, Sequence
from typing import Any

from bordermark.domain import Listing
from bordermark.ingest.errors import RowError
from bordermark.screen.money import Rates

def screen_prepared_many(scr: Any, listings: Sequence[Listing], preps: Sequence[Any]) -> list[Any]: ...
def prepare_many(scr: Any, listings: Sequence[Listing], detections: Sequence[Any],
                 cues_of: Sequence[list[str]] | None) -> list[Any]: ...
def read_lines(lines: list[bytes], start: int, n: int, name: str, rates: Rates, out: list[Listing | RowError],
               size: int) -> tuple[int, int]: ...
def write_rows(results: Iterable[Any]) -> bytearray: ...
Key = tuple[str, str, str | None]

def lookup(listings: Sequence[Listing], cache: dict[Any, Any]) -> tuple[
    list[Key], dict[Key, Any], dict[tuple[str, str | None], list[int]]]: ...
def settle(scr: Any, listings: Sequence[Listing], keys: list[Key], batch: dict[Key, Any], cache: dict[Key, Any],
           missing: dict[tuple[str, str | None], list[int]], found: Sequence[Any],
           cues: Sequence[list[str] | None] | None) -> list[Any]: ...
