"""`--verbose`: what gwlint found where, so a user can see what it will check against."""



def describe(ws) -> str:
    lines = [f"nginx: {i.entry} ({len(i.routes)} *_pass directives, {len(i.upstreams)} upstreams)"
             for i in ws.nginx]
    for install in ws.installs:
        lines.append(f"php-fpm: {install.conf or 'pool files'} ({len(install.pools)} pools; "
                     f"php.ini chain: {', '.join(install.php_ini_files) or 'none'})")
        lines += [f"  pool {p.name} ({p.path}:{p.line}) listens on {p.listen or '?'}" for p in install.pools]
    for d in ws.declarations:
        where = f"{d.path}:{d.line}" if d.path else "config"
        lines.append(f"backend: {d.label} [{d.machine}] ({where})")
    return "\n".join(lines) + "\n"
