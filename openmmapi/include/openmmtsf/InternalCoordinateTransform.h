// SPDX-License-Identifier: MIT
#ifndef OPENMM_TSF_INTERNAL_COORDINATE_TRANSFORM_H_
#define OPENMM_TSF_INTERNAL_COORDINATE_TRANSFORM_H_

#include "openmmtsf/InternalCoordinates.h"
#include "openmm/Platform.h"
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace OpenMM {
class Context;
class VerletIntegrator;
}

namespace TSFPlugin {

class CalcInternalCoordinatesKernel;

/**
 * The batched internal-coordinate transform of one molecule, computed by a platform's
 * CalcInternalCoordinatesKernel. See that kernel for the array layouts and the Jacobian.
 *
 * It owns a small private Context on the chosen platform, over the M particles of the definition, so it
 * can be used without any simulation (for example to train a flow).
 */
class InternalCoordinateTransform {
public:
    /**
     * @param definition  the Z-matrix (at least three rows)
     * @param platform    the platform whose kernel computes the transform
     * @param properties  platform properties, as for a Context
     */
    InternalCoordinateTransform(const InternalCoordinates& definition, OpenMM::Platform& platform,
            const std::map<std::string, std::string>& properties = std::map<std::string, std::string>());
    ~InternalCoordinateTransform();
    InternalCoordinateTransform(const InternalCoordinateTransform&) = delete;
    InternalCoordinateTransform& operator=(const InternalCoordinateTransform&) = delete;
    /** Get the Z-matrix. */
    const InternalCoordinates& getDefinition() const;
    /** Get the number of particles M. */
    int getNumParticles() const;
    /** Get the length n of the IC vector. */
    int getNumInternalCoordinates() const;
    /** Get the name of the platform that computes the transform. */
    std::string getPlatformName() const;
    /**
     * Cartesian -> IC for B configurations.
     *
     * @param positions       [B, M, 3] in nm (the batch size is taken from its length)
     * @param coordinates     on exit, [B, n]
     * @param logDetJacobian  on exit, [B]
     */
    void forward(const std::vector<double>& positions, std::vector<double>& coordinates, std::vector<double>& logDetJacobian);
    /**
     * IC -> Cartesian for B configurations, each in a frame (see extractFrames()).
     *
     * @param coordinates     [B, n]
     * @param frames          [B, 3, 3] or [3, 3] in nm
     * @param positions       on exit, [B, M, 3] in nm
     * @param logDetJacobian  on exit, [B]
     * @param outOfRange      on exit, [B]: 1 for a configuration with an IC out of range, else 0
     */
    void inverse(const std::vector<double>& coordinates, const std::vector<double>& frames, std::vector<double>& positions,
            std::vector<double>& logDetJacobian, std::vector<int>& outOfRange);
    /**
     * The vector-Jacobian product of inverse() with respect to the ICs.
     *
     * @param coordinates          [B, n]
     * @param frames               [B, 3, 3] or [3, 3] in nm
     * @param positionsGradient    [B, M, 3]
     * @param logDetGradient       [B]
     * @param coordinatesGradient  on exit, [B, n]
     */
    void inverseVjp(const std::vector<double>& coordinates, const std::vector<double>& frames,
            const std::vector<double>& positionsGradient, const std::vector<double>& logDetGradient,
            std::vector<double>& coordinatesGradient);
    /**
     * Take the frames (the positions of the root rows' particles) out of B configurations.
     *
     * @param positions  [B, M, 3] in nm
     * @return [B, 3, 3] in nm
     */
    std::vector<double> extractFrames(const std::vector<double>& positions) const;
private:
    int batchSize(const std::vector<double>& array, int valuesPerConfiguration, const char* what) const;
    int checkFrames(const std::vector<double>& frames, int numConfigurations) const;
    InternalCoordinates definition;
    std::vector<int> rootLocalIndex;
    std::unique_ptr<OpenMM::System> system;
    std::unique_ptr<OpenMM::VerletIntegrator> integrator;
    std::unique_ptr<OpenMM::Context> context;
    CalcInternalCoordinatesKernel* kernel;
};

} // namespace TSFPlugin

#endif /*OPENMM_TSF_INTERNAL_COORDINATE_TRANSFORM_H_*/
