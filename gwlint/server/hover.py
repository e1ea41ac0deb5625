"""Hover text: the effective value of a directive or setting that takes part in a check, where each
hop of it comes from, and the other side of the chain."""

from gwlint.model.effective import nginx_value, php_time_limit
from gwlint.model.workspace import config_block

NGINX_LIMITS = ("fastcgi_read_timeout", "fastcgi_send_timeout", "fastcgi_connect_timeout", "proxy_read_timeout",
                "proxy_connect_timeout", "proxy_send_timeout", "client_max_body_size")


def hover_text(ws, rel: str, line: int) -> str | None:
    """Markdown for the directive or pool setting at `rel:line`, or None."""
    for route in ws.routes:
        if (route.directive.path, route.directive.line) == (rel, line):
            return _route(ws, route)
    for name in NGINX_LIMITS:
        for directive in ws.directives(name):
            if (directive.path, directive.line) == (rel, line):
                return _limit(ws, directive)
    for pool in ws.pools:
        for key, settings in pool.history.items():
            for setting in settings:
                if (setting.path, setting.line) == (rel, line):
                    return _setting(ws, pool, key, setting)
    return None


def _route(ws, route) -> str:
    out = [f"**{route.kind}** `{' '.join(route.directive.args)}`"]
    if route.upstream is not None:
        out.append(f"- through upstream `{route.upstream.args[0]}` ({route.upstream.where})")
    for backend in route.backends:
        target = backend.endpoint or "(unresolved)"
        pools = ", ".join(f"pool '{p.name}' ({p.get('listen').where})" for p in backend.pools if p.get("listen"))
        out.append(f"- `{target}` ({backend.directive.where}): {pools or 'no PHP-FPM pool listens there'}")
    block = config_block(route.location)
    if route.kind == "fastcgi_pass" and block is not None:
        out.append(f"- fastcgi_read_timeout {nginx_value(block, 'fastcgi_read_timeout')}")
    return "\n".join(out)


def _limit(ws, directive) -> str:
    block = config_block(directive.parent) if directive.parent is not None else None
    value = nginx_value(block, directive.name) if block is not None else None
    out = [f"**{directive.name}**: effective here {value}" if value else f"**{directive.name}**"]
    if directive.name == "fastcgi_read_timeout":
        for _route, location, pool in ws.route_pools():
            if location is block:
                terminate, execution, _ = php_time_limit(pool, location)
                out.append(f"- pool '{pool.name}': request_terminate_timeout {terminate}, "
                           f"max_execution_time {execution}")
    return "\n".join(out)


def _setting(ws, pool, key: str, setting) -> str:
    history = pool.history.get(key, [setting])
    effective = history[-1]
    out = [f"**{key}** in pool '{pool.name}': `{effective.value}` ({effective.where})"]
    if len(history) > 1:
        out += [f"- set {'here' if s is setting else 'at'} {s.where}: `{s.value}`" for s in history]
    if key == "listen":
        users = [route for route in ws.routes for b in route.backends if pool in b.pools]
        out += [f"- used by {r.kind} at {r.directive.where}" for r in users] or ["- no nginx route reaches it"]
    return "\n".join(out)
