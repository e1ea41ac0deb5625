"""The root's etc/hosts: which addresses a name resolves to on that machine."""

from gwlint.errors import InputError


def load_hosts(root) -> dict[str, list[str]] | None:
    """Name -> addresses in file order from ROOT/etc/hosts; None when the tree has none (or it is unreadable)."""
    path = root.path / "etc" / "hosts"
    if not path.is_file():
        return None
    try:
        text = root.read_text(path)
    except InputError:
        return None
    names: dict[str, list[str]] = {}
    for line in text.splitlines():
        fields = line.split("#", 1)[0].split()
        for name in fields[1:]:
            names.setdefault(name, []).append(fields[0])
    return names
