"""The root's etc/hosts, and the USER its Dockerfile runs as: facts about the machine the configs run on."""

import re

from gwlint.load.ini import Setting

_DOCKER_USER = re.compile(r"^\s*USER\s+([^\s:]+)", re.IGNORECASE | re.MULTILINE)


def load_hosts(root) -> dict[str, list[tuple[str, int]]] | None:
    """Name (lower case) -> [(address, line)] in file order from ROOT/etc/hosts; None when the tree
    has none (or it is unreadable)."""
    text = root.read_optional("etc/hosts")
    if text is None:
        return None
    names: dict[str, list[tuple[str, int]]] = {}
    for number, line in enumerate(text.splitlines(), 1):
        fields = line.split("#", 1)[0].split()
        for name in fields[1:]:
            names.setdefault(name.lower(), []).append((fields[0], number))
    return names


def load_container_user(root) -> Setting | None:
    """The last `USER` of the tree's top-level Dockerfile: who the container's processes run as
    (None without one, for root, or for a build argument)."""
    text = root.read_optional("Dockerfile")
    found = list(_DOCKER_USER.finditer(text or ""))
    if not found or "$" in found[-1].group(1) or found[-1].group(1) in ("root", "0"):
        return None
    line = (text or "").count("\n", 0, found[-1].start(1)) + 1
    return Setting(None, "USER", found[-1].group(1), "Dockerfile", line)
