"""The typical mistakes of the Q-learning lesson, explained in both languages.

Students have this file beside their notebook, so it holds words, not answers: public checks name a
mistake by the wrong value it gives on their fixed inputs (``checks.gives``), and the hidden cases
(``cases.py``) recognise the same mistakes on any input and say the same words.
"""

from __future__ import annotations

from autograder.authoring import say

MESSAGES = {
    "argmin": say(
        "选了 Q 值最小的动作：利用时要选 Q 值最大的动作（np.argmax）",
        "the action with the smallest Q-value was chosen: exploiting picks the largest (np.argmax)",
    ),
    "explore_flipped": say(
        "探索和利用反了：只有 rng.random() < epsilon 时才随机选动作，epsilon = 0 时永远选最好的动作",
        "exploring and exploiting are swapped: pick a random action only when "
        "rng.random() < epsilon, so epsilon = 0 always picks the best action",
    ),
    "draw_order": say(
        "随机数的用法不对：每次先抽一次 rng.random()，只有探索时才再抽 rng.integers(动作数)，"
        "这样同一个种子总给出同样的选择",
        "the random numbers are drawn differently: draw rng.random() once per call, and only when "
        "exploring draw rng.integers(number of actions), so one seed always gives the same choices",
    ),
    "terminal": say(
        "到达目标 (done) 之后没有下一步：目标值只是 reward，不要再加 gamma * max Q(下一状态)",
        "after reaching the goal (done) there is no next step: the target is just the reward, "
        "without gamma * max Q(next state)",
    ),
    "no_rate": say(
        "Q 值被直接设成了目标值：要只朝目标移动一小步，q[s, a] += alpha * (目标 - q[s, a])",
        "the Q-value was set to the target: move only a step of size alpha towards it, "
        "q[s, a] += alpha * (target - q[s, a])",
    ),
    "same_action": say(
        "下一状态用了同一个动作的 Q 值：Q 学习用下一状态里最好的动作，max(q[next_state])",
        "the next state's value used the same action: Q-learning takes the best action there, max(q[next_state])",
    ),
    "rng_each_episode": say(
        "每个回合的随机选择都一样：生成器在每个回合里重新创建了，只在开始时创建一次 np.random.default_rng(seed)",
        "every episode makes the same random choices: the generator is made again each episode; "
        "make np.random.default_rng(seed) once, before the first episode",
    ),
    "no_break": say(
        "到达目标后回合没有结束：done 为 True 时要跳出这一回合的循环",
        "the episode goes on after the goal: leave the episode's loop when done is True",
    ),
    "start_once": say(
        "回合没有从起点开始：每个回合开始时都要回到起点 state = start_state(grid)，"
        "否则下一回合从上一回合停下的地方（目标）出发",
        "an episode does not begin at the start: set state = start_state(grid) at the beginning of every "
        "episode, or the next one begins where the last one stopped, at the goal",
    ),
    "no_start": say(
        "路径少了起点：路径从起点状态开始，然后是每一步之后的状态",
        "the path lacks the start: it begins with the start state, then the state after each move",
    ),
    "no_stop": say(
        "到达目标后还在走：到达目标 (done) 时停下", "the path goes on past the goal: stop when a move reaches it (done)"
    ),
}
