#!/bin/bash
# Grade a large course as a SLURM job array: one shard per task, then merge.
#   cd PROJECT && sbatch --array=1-16 deploy/slurm_grade.sh /shared/submissions logistic_regression
#   (after all tasks) .venv/bin/autograder merge grades/shard-* -a logistic_regression -o grades/all
# AUTOGRADER names the command when the project's .venv is elsewhere.
#SBATCH --job-name=autograde
#SBATCH --cpus-per-task=2
#SBATCH --mem=8G
#SBATCH --time=02:00:00
set -euo pipefail
SUBMISSIONS=${1:?usage: sbatch --array=1-N deploy/slurm_grade.sh SUBMISSIONS_DIR ASSIGNMENT}
ASSIGNMENT=${2:?usage: sbatch --array=1-N deploy/slurm_grade.sh SUBMISSIONS_DIR ASSIGNMENT}
AUTOGRADER=${AUTOGRADER:-.venv/bin/autograder}
cd "$SLURM_SUBMIT_DIR"
"$AUTOGRADER" grade "$SUBMISSIONS" -a "$ASSIGNMENT" \
    -o "grades/shard-${SLURM_ARRAY_TASK_ID}" --workers "$SLURM_CPUS_PER_TASK" \
    --shard "${SLURM_ARRAY_TASK_ID}/${SLURM_ARRAY_TASK_COUNT}"
