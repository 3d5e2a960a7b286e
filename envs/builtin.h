/* builtin.h - the environments compiled into mpirl (Gymnasium's classic control). */
#ifndef MPIRL_BUILTIN_H
#define MPIRL_BUILTIN_H

#include "env.h"

extern const EnvSpec env_cartpole_v1;                 /* CartPole-v1, cartpole.c */
extern const EnvSpec env_acrobot_v1;                  /* Acrobot-v1, acrobot.c */
extern const EnvSpec env_mountain_car_v0;             /* MountainCar-v0, mountain_car.c */
extern const EnvSpec env_mountain_car_continuous_v0;  /* MountainCarContinuous-v0 */
extern const EnvSpec env_pendulum_v1;                 /* Pendulum-v1, pendulum.c */

#endif
