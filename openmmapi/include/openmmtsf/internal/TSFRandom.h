// SPDX-License-Identifier: MIT
#ifndef OPENMM_TSF_RANDOM_H_
#define OPENMM_TSF_RANDOM_H_

#include <cstdint>
#include <iosfwd>

namespace TSFPlugin {

/**
 * The random streams of a TSFIntegrator: one 64-bit Mersenne Twister (the standard's mt19937_64, whose outputs the C++
 * standard fixes), reproducible from a seed and checkpointable in a binary form that does not depend on the C++
 * library. Its deviates are computed here, by the same algorithms as libstdc++'s distributions (so that streams
 * continue unchanged from earlier versions on Linux), rather than by std:: distributions, whose algorithms and
 * saved state differ between C++ libraries.
 */
class TSFRandom {
public:
    TSFRandom();
    /**
     * Seed the generator; 0 picks a seed from the operating system.
     *
     * @param seed    the integrator's random number seed
     * @param stream  which of the integrator's independent streams this is (0: Monte Carlo, 1: velocities, 2: the bank
     *                of prior proposals)
     */
    void seed(int seed, int stream = 0);
    /** A standard normal deviate (Marsaglia's polar method; the second deviate of a pair is kept for the next call). */
    double normal();
    /** A uniform deviate in [0, 1): 64 random bits divided by 2^64. */
    double uniform();
    /** A uniform integer in [0, count), unbiased (Lemire's multiply-and-reject). */
    int integer(int count);
    /** Write the generator's full state: 312 64-bit words, the word index, and the kept normal deviate. */
    void write(std::ostream& stream) const;
    /**
     * Read a state written by write().
     *
     * @throws OpenMMException if the stream ends early or the state is impossible
     */
    void read(std::istream& stream);
    /** The words of the Mersenne Twister's state. */
    static const int StateWords = 312;
private:
    /** The next 64 random bits. */
    uint64_t next();
    /** Refill the state (the Mersenne Twister's "twist"). */
    void twist();
    uint64_t state[StateWords];
    int index;
    bool hasSpareNormal;
    double spareNormal;
};

} // namespace TSFPlugin

#endif /*OPENMM_TSF_RANDOM_H_*/
