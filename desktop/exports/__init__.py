"""Everything that leaves the window: plots, step tables, the clipboard, bundles, figures.

Every file is written to a temporary name in the target folder and renamed
into place, so a failed or cancelled export leaves no partial file and never
destroys an existing one. Errors are `core.ConfigError` naming the path and
the reason; the window shows them in a message box.
"""
