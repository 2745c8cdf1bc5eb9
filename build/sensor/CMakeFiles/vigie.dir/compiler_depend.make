# Empty compiler generated dependencies file for vigie.
# This may be replaced when dependencies are built.
