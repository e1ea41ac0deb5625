"""The one import surface for rule authors: rule modules import from here and nowhere else in gwlint.

A rule reads facts only through the `Workspace` it is given (the loader has read every file
already: nginx, pools, php.ini, accounts, systemd units, etc/hosts, the Dockerfile's USER, backend
declarations), and reports with `report()`. What is here:

- findings: `report`, `related`, `Related`, `Severity`, `Fix`, `Edit`
- the model: `Workspace` (`routes`, `php_routes()`, `pools`, `servers()`, `directives(name)`,
  `route_pools()`, `pool_sites()`, `site_pools()`, `php_contexts(key)`, `socket_clients()`,
  `worker(instance)`, `fpm_master(install)`, `socket_perms(pool)`, `accepts(listen, target)`,
  `loopback_names()`, `proxy_targets()`, `listeners_on(port)`, `listeners_beside(port, names)`,
  `accounts`, `units`, `hosts`, `declarations`...),
  `Route` (`block`, `via()`, `live_backends`), `Backend`, `Endpoint` (`is_loopback`, `accepts()`,
  `in_tmp`), `Pool`, `Directive`, `Setting`, `Value`
- effective values: `nginx_value`, `php_value`, `php_params`, `php_time_limit`, `fpm_int`, `fpm_time`;
  FastCGI params and location matching: `fastcgi_params`, `param`, `select_location`; PHP's own
  reading of a size (`php_quantity`, `MEMORY_AT_START`), and `is_env_value` (a `${VAR}` php-fpm
  fills in at start: unknown, not wrong); `timeout_cap` / `timeout_odds` (timeout-chain severity
  by gap: ORDINARY_REQUEST_SECONDS)
- nginx-to-nginx hops: `hops(ws)` (a proxy_pass into a server of the same tree, and its location)
- consequence messages: `consequence` (the status and error.log line of each failure)
- fix builders: `set_args`, `insert_directive`, `retarget_pass`, `set_ini`, `set_inis`, `merge_fixes`
- per-rule options: `option(default, doc)` for each annotated field of the rule's `OPTIONS`
  class (set under `[tool.gwlint.rules.<name>]`); the rule reads them with `ws.options_for(NAME)`
"""

from gwlint.engine.finding import Edit, Finding, Fix, Related, Severity, related, report
from gwlint.engine.options import option
from gwlint.fix.edits import insert_directive, merge_fixes, retarget_pass, set_args, set_ini, set_inis
from gwlint.load.accounts import Accounts, Identity
from gwlint.load.fpm import FpmInstall, Pool
from gwlint.load.fsroot import clean as clean_path
from gwlint.load.ini import Setting
from gwlint.load.nginx import Directive
from gwlint.load.systemd import Unit, Units
from gwlint.load.template import is_env_value
from gwlint.load.units import (
                                    MEMORY_AT_START,
                                    format_seconds,
                                    nginx_bytes,
                                    nginx_seconds,
                                    php_bytes,
                                    php_int,
                                    php_quantity,
)
from gwlint.model import consequence
from gwlint.model.backends import Declaration, ProxyTarget
from gwlint.model.effective import (
                                    DEFAULT_LIMIT_EXTENSIONS,
                                    ORDINARY_REQUEST_SECONDS,
                                    PHP_DEFAULTS,
                                    Value,
                                    fastcgi_params,
                                    fpm_int,
                                    fpm_time,
                                    fpm_value,
                                    nginx_value,
                                    param,
                                    php_params,
                                    php_time_limit,
                                    php_value,
                                    timeout_cap,
                                    timeout_odds,
)
from gwlint.model.endpoint import (
                                    ANY_ADDRESSES,
                                    LOOPBACK_NAMES,
                                    Endpoint,
                                    PassTarget,
                                    is_ip,
                                    is_loopback_host,
                                    parse_pass_target,
)
from gwlint.model.hops import Hop, hops
from gwlint.model.locations import location_matches, select_location
from gwlint.model.runtime import Bound, Master, SocketAlias, bound_address, run_path
from gwlint.model.sockperm import (
                                    DEFAULT_MODE,
                                    OWNER_KEYS,
                                    SocketPerms,
                                    acl_list,
                                    format_mode,
                                    owner_left_to_root_master,
                                    parse_mode,
)
from gwlint.model.suggest import NearestEndpoint, nearest_name
from gwlint.model.workspace import Backend, NginxInstance, Options, Route, Workspace, config_block

__all__ = [
                                    "ANY_ADDRESSES",
                                    "DEFAULT_LIMIT_EXTENSIONS",
                                    "DEFAULT_MODE",
                                    "LOOPBACK_NAMES",
                                    "MEMORY_AT_START",
                                    "ORDINARY_REQUEST_SECONDS",
                                    "OWNER_KEYS",
                                    "PHP_DEFAULTS",
                                    "Accounts",
                                    "Backend",
                                    "Bound",
                                    "Declaration",
                                    "Directive",
                                    "Edit",
                                    "Endpoint",
                                    "Finding",
                                    "Fix",
                                    "FpmInstall",
                                    "Hop",
                                    "Identity",
                                    "Master",
                                    "NearestEndpoint",
                                    "NginxInstance",
                                    "Options",
                                    "PassTarget",
                                    "Pool",
                                    "ProxyTarget",
                                    "Related",
                                    "Route",
                                    "Setting",
                                    "Severity",
                                    "SocketAlias",
                                    "SocketPerms",
                                    "Unit",
                                    "Units",
                                    "Value",
                                    "Workspace",
                                    "acl_list",
                                    "bound_address",
                                    "clean_path",
                                    "config_block",
                                    "consequence",
                                    "fastcgi_params",
                                    "format_mode",
                                    "format_seconds",
                                    "fpm_int",
                                    "fpm_time",
                                    "fpm_value",
                                    "hops",
                                    "insert_directive",
                                    "is_env_value",
                                    "is_ip",
                                    "is_loopback_host",
                                    "location_matches",
                                    "merge_fixes",
                                    "nearest_name",
                                    "nginx_bytes",
                                    "nginx_seconds",
                                    "nginx_value",
                                    "option",
                                    "owner_left_to_root_master",
                                    "param",
                                    "parse_mode",
                                    "parse_pass_target",
                                    "php_bytes",
                                    "php_int",
                                    "php_params",
                                    "php_quantity",
                                    "php_time_limit",
                                    "php_value",
                                    "related",
                                    "report",
                                    "retarget_pass",
                                    "run_path",
                                    "select_location",
                                    "set_args",
                                    "set_ini",
                                    "set_inis",
                                    "timeout_cap",
                                    "timeout_odds",
]
