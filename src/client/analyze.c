#include "client/analyze.h"

#include <math.h>
#include <stdlib.h>

double mj_analyze_rms_db(const float *pcm, size_t n)
{
    double sum = 0.0;
    for (size_t i = 0; i < n; i++)
        sum += (double)pcm[i] * pcm[i];
    if (n == 0 || sum <= 0.0) return -200.0;
    return 20.0 * log10(sqrt(sum / (double)n));
}

/* Energy of the windowed signal at frequency f (Goertzel). */
static double power_at(const float *w, size_t n, double rate, double f)
{
    double coeff = 2.0 * cos(2.0 * M_PI * f / rate);
    double s1 = 0.0, s2 = 0.0;
    for (size_t i = 0; i < n; i++) {
        double s0 = w[i] + coeff * s1 - s2;
        s2 = s1;
        s1 = s0;
    }
    return s1 * s1 + s2 * s2 - coeff * s1 * s2;
}

static double scan(const float *w, size_t n, double rate, double lo, double hi, double step,
                   double *best_p)
{
    double best = lo;
    *best_p = -1.0;
    for (double f = lo; f <= hi; f += step) {
        double p = power_at(w, n, rate, f);
        if (p > *best_p) {
            *best_p = p;
            best = f;
        }
    }
    return best;
}

double mj_analyze_peak_hz(const float *pcm, size_t n, double rate, double lo, double hi)
{
    if (n == 0 || lo > hi || mj_analyze_rms_db(pcm, n) < -120.0) return 0.0;
    float *w = malloc(n * sizeof *w);
    if (!w) return 0.0;
    for (size_t i = 0; i < n; i++)
        w[i] = (float)(pcm[i] *
                       (0.5 - 0.5 * cos(2.0 * M_PI * (double)i / (double)(n - 1 ? n - 1 : 1))));
    /* The main lobe of a Hann window is 4 bins wide: a coarse step of one
     * bin cannot miss the peak, then refine around it. */
    double bin = rate / (double)n;
    double coarse = bin < 1.0 ? 1.0 : bin;
    double p;
    double f = scan(w, n, rate, lo, hi, coarse, &p);
    double a = f - coarse < lo ? lo : f - coarse;
    double b = f + coarse > hi ? hi : f + coarse;
    f = scan(w, n, rate, a, b, 0.5, &p);
    free(w);
    return f;
}
