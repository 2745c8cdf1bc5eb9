# Empty dependencies file for vigie_core.
# This may be replaced when dependencies are built.
