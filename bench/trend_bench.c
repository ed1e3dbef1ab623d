/* What scoring a room by branches of the invite tree costs (room/trend.c):
 * the hallway scores every room whose people changed, every two seconds.
 *
 * A synthetic community of 100,000 members grown breadth-first, each
 * inviting up to three (the default quota), so paths are about ten deep;
 * rooms of N members drawn at random. Reports the CPU time to add the
 * room's paths and score it.
 *
 *   bench_trend_bench [--people 100,1000,5000] [--rounds 50]
 */
#include "room/trend.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MEMBERS 100000

static int64_t parent_of[MEMBERS + 1];

static int64_t ns_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static size_t path_of(int64_t id, int64_t *out)
{
    int64_t rev[MJ_TREND_DEPTH_MAX];
    size_t n = 0;
    for (int64_t v = id; v && n < MJ_TREND_DEPTH_MAX; v = parent_of[v])
        rev[n++] = v;
    for (size_t i = 0; i < n; i++)
        out[i] = rev[n - 1 - i];
    return n;
}

int main(int argc, char **argv)
{
    const char *people = "100,1000,5000";
    int rounds = 50;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--people") == 0)
            people = argv[i + 1];
        else if (strcmp(argv[i], "--rounds") == 0)
            rounds = atoi(argv[i + 1]);
    }
    /* Member 1 is the admin; member k was invited by member (k + 1) / 3. */
    for (int64_t k = 2; k <= MEMBERS; k++)
        parent_of[k] = (k + 1) / 3;
    int64_t depth_path[MJ_TREND_DEPTH_MAX];
    printf("members %d, deepest path %zu\n", MEMBERS, path_of(MEMBERS, depth_path));
    mj_trend *t;
    if (mj_trend_new(&t) != 0) return 1;
    srand(7);
    char list[256];
    snprintf(list, sizeof list, "%s", people);
    for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
        int n = atoi(tok);
        int64_t spent = 0;
        double score = 0;
        for (int r = 0; r < rounds; r++) {
            int64_t *ids = malloc((size_t)n * sizeof *ids);
            for (int i = 0; i < n; i++)
                ids[i] = 1 + rand() % MEMBERS;
            int64_t t0 = ns_now();
            mj_trend_reset(t);
            for (int i = 0; i < n; i++) {
                int64_t path[MJ_TREND_DEPTH_MAX];
                size_t len = path_of(ids[i], path);
                if (mj_trend_add(t, path, len) != 0) return 1;
            }
            score = mj_trend_score(t);
            spent += ns_now() - t0;
            free(ids);
        }
        printf("people %5d: %8.1f us per room scored (last score %.2f)\n", n,
               spent / 1000.0 / rounds, score);
    }
    mj_trend_free(t);
    return 0;
}
