"""The ending shared by the replay checks: PASS, or FAIL with one indented line per failure."""


def verdict(name, failures):
    """Prints the outcome of check `name` and returns its exit code (0 pass, 1 fail)."""
    if failures:
        print(f"FAIL {name}")
        for f in failures:
            print("  " + f)
        return 1
    print(f"PASS {name}")
    return 0
