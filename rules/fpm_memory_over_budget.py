"""PHP-FPM can use more memory than the budget: `pm.max_children` x `memory_limit` over all pools.

## What it does
Only when a memory budget is given (option `budget`, or `--memory-budget 2G`): sums, over every
pool, the pool's `pm.max_children` times its effective `memory_limit` (php.ini chain, then the
pool's `php_value`/`php_admin_value`; `-1` means no limit) and reports when the sum is above the
budget.

## Why is this bad?
At full load every worker may grow to `memory_limit`. Above the machine's memory the kernel's OOM
killer ends workers mid-request (nginx: **502**, `recv() failed (104: Connection reset by peer)`),
or the box swaps and every request slows down until nginx answers **504**. The worst case is the
normal case under a traffic spike, which is when it hurts most.

## Example
```ini
pm.max_children = 50              ; php.ini: memory_limit = 256M -> 12.5G, budget 4G
```

## Use instead
```ini
pm.max_children = 14              ; 14 x 256M = 3.5G
```

## Fix
None

## References
- https://www.php.net/manual/en/install.fpm.configuration.php#pm.max-children
- https://www.php.net/manual/en/ini.core.php#ini.memory-limit
"""

from collections.abc import Iterator

from gwlint.rule import Finding, Severity, Workspace, consequence, fpm_int, option, php_value, related, report

CODE = "GW224"
NAME = "fpm-memory-over-budget"
SEVERITY = Severity.WARNING


class Options:
    budget: int | None = option(None, 'memory all PHP-FPM pools may use ("2G", "512M"); unset turns the rule off')


OPTIONS = Options


def _size(n: float) -> str:
    for unit, factor in (("G", 1024**3), ("M", 1024**2), ("K", 1024)):
        if n >= factor:
            return f"{n / factor:.3g}{unit}"
    return f"{int(n)}"


def check(ws: Workspace) -> Iterator[Finding]:
    budget = ws.options_for(NAME).budget
    if budget is None:
        return
    parts = []  # (bytes or None for unlimited, pool, max_children setting, memory_limit Value)
    for pool in ws.pools:
        setting = pool.get("pm.max_children")
        children = fpm_int(setting.value)[0] if setting else None
        limit = php_value(pool, "memory_limit")
        if not children or children < 1 or limit.number is None:
            continue
        parts.append((children * limit.number if limit.number >= 0 else None, pool, setting, limit, children))
    unlimited = [p for p in parts if p[0] is None]
    total = sum(p[0] for p in parts if p[0] is not None)
    if not parts or (not unlimited and total <= budget):
        return
    worst = unlimited[0] if unlimited else max(parts, key=lambda p: p[0] or 0)
    detail = ", ".join(f"'{pool.name}' {children} x {limit}" for _, pool, _, limit, children in parts)
    amount = "unbounded (memory_limit -1)" if unlimited else _size(total)
    rel = [related(s, f"pool '{pool.name}' pm.max_children") for _, pool, s, _, _ in parts if s is not worst[2]]
    rel += [related(limit.at, f"pool '{pool.name}' memory_limit") for _, pool, _, limit, _ in parts
            if limit.at is not None]
    yield report(worst[2], (
        f"pm.max_children x memory_limit over all pools is {amount}, above the memory budget {_size(budget)} "
        f"({detail}): at full load the OOM killer ends workers mid-request ({consequence.fpm_killed()}) "
        f"or the machine swaps until nginx answers 504"), rel)
