"""``autograder grade`` and ``merge``: judge sandboxed submissions, write gradebooks, results and pages."""
