"""The course server (``autograder serve``): students submit and read their feedback in seconds,
staff follow the class, on the batch grader's own workers, judge, pages and exports.

A folder per job: ``models``/``database``/``migrations`` keep the record, ``jobs`` the queue,
``grading`` the warm pools, ``class_view`` the class's outputs, ``routers`` the web pages and API.
"""
