/* A little signal analysis for checking recordings: the RMS level and the
 * dominant frequency of a stretch of audio, by a Goertzel scan (a single
 * DFT bin per candidate frequency) with a Hann window, coarse then fine.
 * Used by `majlis bot probe` and the tests; pure. */
#ifndef MJ_CLIENT_ANALYZE_H
#define MJ_CLIENT_ANALYZE_H

#include <stddef.h>

/* RMS of n samples in dBFS (full-scale sine: -3 dB); -200 for silence. */
double mj_analyze_rms_db(const float *pcm, size_t n);
/* The frequency in [lo, hi] Hz with the most energy in n samples at rate
 * (to about 0.5 Hz); 0 when n is 0 or the audio is silent. */
double mj_analyze_peak_hz(const float *pcm, size_t n, double rate, double lo, double hi);

#endif
