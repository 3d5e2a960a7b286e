/* export-example.c - a program of one's own that calls a policy written by
 * `mpirl export --format c` (the README's example; tests/export_test.sh builds it).
 *
 *   mpirl export --checkpoint RUN/checkpoint.bin --format c --out cartpole --name cartpole
 *   cc -std=c99 -O2 export-example.c cartpole.c -lm -o example
 */
#include <stdio.h>

#include "cartpole.h"

int main(void)
{
    /* CartPole-v1's observation: cart position, cart velocity, pole angle, pole angular
     * velocity */
    const float obs[CARTPOLE_OBS_DIM] = {0.01f, 0.0f, 0.03f, 0.0f};
    float logits[CARTPOLE_OUT_DIM], action[CARTPOLE_ACT_DIM];
    cartpole_logits_or_mean(obs, logits);
    const int a = cartpole_act(obs, action);
    if (a < 0) {
        fprintf(stderr, "the observation gave NaN\n");
        return 1;
    }
    printf("logits %.4f %.4f: push the cart to the %s\n", logits[0], logits[1],
           a == 1 ? "right" : "left");
    return 0;
}
