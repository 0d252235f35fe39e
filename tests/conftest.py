import os

from hypothesis import settings

# GUI tests render offscreen; set before any Qt import. Tests never touch the
# real user settings: each GUI test points QSettings at a temporary folder.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# Property tests give the same answer on every run and every machine: the
# examples come from a fixed seed, nothing is written into the tree, and no
# example fails for being slow on a busy machine.
settings.register_profile("suite", derandomize=True, database=None, deadline=None,
                          print_blob=True)
settings.load_profile("suite")
