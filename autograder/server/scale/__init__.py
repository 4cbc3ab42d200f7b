"""Grading past one machine: the course server hands jobs to ``autograder worker`` processes on
other machines through Celery on a Redis broker; the database stays the record of everything.

- The server (``autograder serve --queue redis://... --database postgresql+psycopg://...``) stores
  each submission's bytes in the database and sends a task carrying only its job's id
  (``dispatch``). It publishes the release each assignment is graded with (``releases``), collects
  the feedback pages and results workers leave in the database (``collect``) and, every few seconds,
  sends again the jobs whose worker's lease ran out (``service``).
- A worker (``autograder worker``, ``worker``) checks its copy of each release against the
  published digest, then grades with the embedded server's own warm pools and loops
  (``autograder.server.grading``): a delivered job id is claimed in the database
  (``brokered``), so a duplicate delivery grades nothing twice and a killed worker's job comes back
  when its lease expires.
- ``broker`` configures Celery: tasks acknowledged late, JSON only, one queue per assignment.
- ``records`` holds the tables these add to the course's database; ``registry`` the workers running,
  whose sandboxes the wait shown to students counts; ``slots`` the block of sandbox uids each worker
  on a host holds, so two on one host never share one.
"""
