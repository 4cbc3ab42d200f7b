#!/bin/bash
# Grade a large course as a SLURM job array: one shard per task, then merge. Everything it writes
# goes under OUT (one folder per shard); nothing lands in the project checkout.
#   cd PROJECT && mkdir -p OUT
#   sbatch --array=1-16 --output=OUT/slurm-%A_%a.out deploy/slurm_grade.sh SUBMISSIONS_DIR ASSIGNMENT OUT \
#       [any `autograder grade` option: --roster roster.csv --times times.csv --timeout 300 --due ... ]
#   (after all tasks) .venv/bin/autograder merge OUT/shard-* -a ASSIGNMENT -o OUT/all
# The script sets -o, --shard and --workers itself (--workers to the task's CPUs; an option given
# after OUT wins). sbatch's own --output puts SLURM's log under OUT too; without it SLURM writes
# slurm-*.out where sbatch ran (git ignores those). AUTOGRADER names the command when the
# project's .venv is elsewhere.
#SBATCH --job-name=autograde
#SBATCH --cpus-per-task=2
#SBATCH --mem=8G
#SBATCH --time=02:00:00
set -euo pipefail
USAGE="usage: sbatch --array=1-N --output=OUT/slurm-%A_%a.out deploy/slurm_grade.sh SUBMISSIONS_DIR ASSIGNMENT OUT [autograder grade options]"
if [ "$#" -lt 3 ]; then
    echo "$USAGE" >&2
    exit 2
fi
SUBMISSIONS=$1
ASSIGNMENT=$2
OUT=$3
shift 3
for option in "$@"; do
    case "$option" in
        -o*|--out|--out=*|--shard|--shard=*)
            echo "slurm_grade.sh sets $option itself (each task grades OUT/shard-<task> of the array); leave it out" >&2
            exit 2 ;;
    esac
done
AUTOGRADER=${AUTOGRADER:-.venv/bin/autograder}
cd "$SLURM_SUBMIT_DIR"
mkdir -p "$OUT"
"$AUTOGRADER" grade "$SUBMISSIONS" -a "$ASSIGNMENT" \
    -o "$OUT/shard-${SLURM_ARRAY_TASK_ID}" --workers "$SLURM_CPUS_PER_TASK" \
    --shard "${SLURM_ARRAY_TASK_ID}/${SLURM_ARRAY_TASK_COUNT}" "$@"
