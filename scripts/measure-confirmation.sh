#!/bin/bash
# Keys per second through the reset wizard's typed confirmation (issue 20), on the real
# binary in tmux at 80x24: a demo data dir, j×4 r Enter Enter Enter to step 4, then N keys
# typed at once (tmux send-keys -l: keys, not a bracketed paste) and ESC; the time until the
# screen answers the ESC (back at step 3). Prints figures only; not a test.
#   scripts/measure-confirmation.sh [EXE] [N]   (default .build/debug/finality, 5000)
EXE=${1:-$(dirname "$0")/../.build/debug/finality}; N=${2:-5000}
DATA=$("$EXE" demo --print-only) || exit 1
S=cr$$
tmux new-session -d -s $S -x 80 -y 24 "TERM=xterm-256color $EXE $DATA"
wait_for() { for i in $(seq 1 400); do tmux capture-pane -p -t $S | grep -q "$1" && return 0; sleep 0.05; done; echo "timeout waiting for $1"; tmux capture-pane -p -t $S; return 1; }
wait_for "from blocks.log" || exit 1
sleep 0.5
for i in 1 2 3 4; do tmux send-keys -t $S j; sleep 0.05; done
tmux send-keys -t $S r; wait_for "Step 1 of 5" || exit 1
tmux send-keys -t $S Enter; wait_for "Step 2 of 5" || exit 1
sleep 1
tmux send-keys -t $S Enter; wait_for "Step 3 of 5" || exit 1
sleep 0.5
tmux send-keys -t $S Enter; wait_for "Step 4 of 5" || exit 1
sleep 0.5
PAY=$(head -c $N /dev/zero | tr '\0' 'a')
start=$(date +%s.%N)
tmux send-keys -t $S -l "$PAY"
tmux send-keys -t $S Escape
for i in $(seq 1 12000); do tmux capture-pane -p -t $S | grep -q "Step 3 of 5" && break; sleep 0.01; done
end=$(date +%s.%N)
python3 -c "import sys; e=$end-$start; print(f'$EXE: $N keys into the confirmation prompt, then ESC answered after {e:.2f} s: {$N/e:.0f} keys/s')"
tmux kill-session -t $S
