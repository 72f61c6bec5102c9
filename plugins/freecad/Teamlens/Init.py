# Teamlens: FreeCAD usage into the Teamlens journal (see teamlens_journal.py).
# Loaded by FreeCAD at start, with or without the GUI.
try:
    import teamlens_journal
    # Under the GUI, InitGui.py writes the start once the window is up.
    teamlens_journal.install(FreeCAD, start=FreeCAD.ConfigGet("RunMode") != "Gui")
except Exception as e:  # never stop FreeCAD
    FreeCAD.Console.PrintWarning("Teamlens add-on disabled: %s\n" % e.__class__.__name__)
