"""Record: equality, hashing and repr by the fields a class lists in `__slots__`.

gwlint's value classes are plain classes with `__slots__` and an explicit `__init__` rather than
dataclasses: building a dataclass compiles generated source at import, about 1 ms per class,
and `import dataclasses` pulls in `inspect`; together that was a third of gwlint's start-up
(README, "Performance"). Records are treated as immutable once built. Commands off the path of
`gwlint check` (doctor, server, --verify) keep dataclasses.
"""


TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (~3 ms of start-up)
if TYPE_CHECKING:
    from typing import Self


class Record:
    """Compare and hash by the values of `__slots__`, in order; repr shows them."""

    __slots__: tuple[str, ...] = ()

    def replace(self, **changes: object) -> "Self":
        """A copy with `changes` (by field name) applied, as dataclasses.replace makes."""
        return self.__class__(**{name: getattr(self, name) for name in self.__slots__} | changes)

    def _values(self) -> tuple:
        return tuple([getattr(self, name) for name in self.__slots__])

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"{self.__class__.__name__}({shown})"
