/* mjtasks.c - the table of Gymnasium's MuJoCo environments (mjenv.h), in the order
 * `mpirl envs` lists them: each robot's v4, then its v5. */
#include "mjenv.h"

extern const MjTask mjtask_ant_v4, mjtask_ant_v5;
extern const MjTask mjtask_half_cheetah_v4, mjtask_half_cheetah_v5;
extern const MjTask mjtask_hopper_v4, mjtask_hopper_v5;
extern const MjTask mjtask_humanoid_v4, mjtask_humanoid_v5;
extern const MjTask mjtask_humanoid_standup_v4, mjtask_humanoid_standup_v5;
extern const MjTask mjtask_inverted_double_pendulum_v4, mjtask_inverted_double_pendulum_v5;
extern const MjTask mjtask_inverted_pendulum_v4, mjtask_inverted_pendulum_v5;
extern const MjTask mjtask_pusher_v4, mjtask_pusher_v5;
extern const MjTask mjtask_reacher_v4, mjtask_reacher_v5;
extern const MjTask mjtask_swimmer_v4, mjtask_swimmer_v5;
extern const MjTask mjtask_walker2d_v4, mjtask_walker2d_v5;

const MjTask *const mj_tasks[] = {
    &mjtask_hopper_v4,
    &mjtask_hopper_v5,
    &mjtask_half_cheetah_v4,
    &mjtask_half_cheetah_v5,
    &mjtask_walker2d_v4,
    &mjtask_walker2d_v5,
    &mjtask_ant_v4,
    &mjtask_ant_v5,
    &mjtask_humanoid_v4,
    &mjtask_humanoid_v5,
    &mjtask_humanoid_standup_v4,
    &mjtask_humanoid_standup_v5,
    &mjtask_swimmer_v4,
    &mjtask_swimmer_v5,
    &mjtask_inverted_pendulum_v4,
    &mjtask_inverted_pendulum_v5,
    &mjtask_inverted_double_pendulum_v4,
    &mjtask_inverted_double_pendulum_v5,
    &mjtask_reacher_v4,
    &mjtask_reacher_v5,
    &mjtask_pusher_v4,
    &mjtask_pusher_v5,
    NULL,
};
