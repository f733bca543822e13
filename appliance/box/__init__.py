"""Looking after the box itself, not the shop: offline updates (`bundle`,
`update`), database backups and restores (`backup`), growing the root
partition (`growroot`), the clock without a battery (`timekeeping`) and
telling systemd how the process is (`sdnotify`).

Each is core by the design card's import rules: it may use the core
(settings, the database) but the shop's own modules never import it; only
the command line and the web UI's maintenance pages do.
"""
