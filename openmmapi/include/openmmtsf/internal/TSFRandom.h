// SPDX-License-Identifier: MIT
#ifndef OPENMM_TSF_RANDOM_H_
#define OPENMM_TSF_RANDOM_H_

#include <iosfwd>
#include <random>

namespace TSFPlugin {

/** The random streams of a TSFIntegrator: one generator, reproducible from a seed and checkpointable. */
class TSFRandom {
public:
    /**
     * Seed the generator; 0 picks a seed from the operating system.
     *
     * @param seed    the integrator's random number seed
     * @param stream  which of the integrator's independent streams this is (0: Monte Carlo, 1: velocities, 2: the bank
     *                of prior proposals)
     */
    void seed(int seed, int stream = 0);
    /** A standard normal deviate. */
    double normal() {
        return normalDistribution(generator);
    }
    /** A uniform deviate in [0, 1). */
    double uniform() {
        return uniformDistribution(generator);
    }
    /** A uniform integer in [0, count). */
    int integer(int count) {
        return std::uniform_int_distribution<int>(0, count - 1)(generator);
    }
    /** Write the generator's full state. */
    void write(std::ostream& stream) const;
    /** Read a state written by write(). */
    void read(std::istream& stream);
private:
    std::mt19937_64 generator;
    std::normal_distribution<double> normalDistribution;
    std::uniform_real_distribution<double> uniformDistribution;
};

} // namespace TSFPlugin

#endif /*OPENMM_TSF_RANDOM_H_*/
