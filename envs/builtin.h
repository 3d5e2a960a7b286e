/* builtin.h - the environments compiled into mpirl (Gymnasium's classic control). */
#ifndef MPIRL_BUILTIN_H
#define MPIRL_BUILTIN_H

#include <stdint.h>

#include "env.h"

extern const EnvSpec env_cartpole_v1;                /* CartPole-v1, cartpole.c */
extern const EnvSpec env_acrobot_v1;                 /* Acrobot-v1, acrobot.c */
extern const EnvSpec env_mountain_car_v0;            /* MountainCar-v0, mountain_car.c */
extern const EnvSpec env_mountain_car_continuous_v0; /* MountainCarContinuous-v0 */
extern const EnvSpec env_pendulum_v1;                /* Pendulum-v1, pendulum.c */

/* CartPole-v1's step_batch (env.h) with its build of the loop chosen, for tests that
 * compare them: avx2 = 0 the baseline x86-64 one, 1 the AVX2 one if cartpole_has_avx2()
 * (else the baseline one too); env_cartpole_v1.step_batch is the call with avx2 = 1.
 * Same arguments, results and errors as step_batch. */
int cartpole_step_batch_isa(int avx2, void *batch, int n, const float *action, float *obs,
                            double *reward, uint8_t *terminated, int *bad);

/* 1 if this build has an AVX2 loop for CartPole's step_batch and the CPU runs it. */
int cartpole_has_avx2(void);

#endif
