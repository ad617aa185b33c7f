// SPDX-License-Identifier: MIT
#ifndef OPENMM_TSF_MODEL_H_
#define OPENMM_TSF_MODEL_H_

#include "openmmtsf/internal/LatentMoveBatch.h"
#include <memory>
#include <string>
#include <vector>

namespace TSFPlugin {

/**
 * A loaded TorchScript flow that honours the model contract (docs/model-contract.md). This is the only
 * class that touches libtorch; its header does not include it.
 *
 * Arrays are row-major double precision on the host (or, for a DeviceCopy, on its CUDA device): z and x_ic are
 * [B, n], q and p are [B, n_aux], logdet is [B]. The model receives float64 tensors; its outputs may be of any
 * floating type, and their shapes are checked on every call.
 */
class TSFModel {
public:
    /**
     * Load and check a serialized TorchScript module.
     *
     * @param bytes  the contents of a file written by torch.jit.save
     * @throws OpenMMException if it is not TorchScript, or a method or attribute of the contract is missing
     */
    explicit TSFModel(const std::string& bytes);
    ~TSFModel();
    /** The IC dimension n (attribute n_dims). */
    int getNumDimensions() const;
    /** The auxiliary-momentum dimension n_aux (attribute n_aux), possibly 0. */
    int getNumAuxiliary() const;
    /** The temperature the model was trained at, in kelvin (attribute training_temperature). */
    double getTrainingTemperature() const;
    /**
     * Whether the model is temperature-conditioned (attribute temperature_conditioned): its methods then take each
     * row's temperature in kelvin as a third argument, and its latent prior is N(0, I) at every temperature.
     */
    bool isTemperatureConditioned() const;
    /**
     * Run both methods on a small batch and check the shapes they return.
     *
     * @throws OpenMMException naming the method and output whose shape is wrong
     */
    void checkShapes() const;
    /**
     * The flow stage of one latent move of every replica, on the host: the model's inverse() at the current
     * coordinates, the latent proposal, and its forward() (see LatentMoveBatch).
     *
     * @param batch           the draws in, the per-replica log-determinants and squared norms out
     * @param coordinates     [R, n]: the replicas' internal coordinates
     * @param newCoordinates  on exit, [R, n]: the proposed internal coordinates
     * @throws OpenMMException if the model fails or returns outputs of the wrong shape
     */
    void proposeLatentMoves(LatentMoveBatch& batch, const std::vector<double>& coordinates, std::vector<double>& newCoordinates) const;
    /**
     * A copy of the model on a CUDA device, with device buffers for the IC batches, so that a GPU platform keeps
     * them on the device. Its CUDA calls run in the device's primary context on libtorch's current stream, and
     * return when their results are complete; the caller makes the primary context current around them.
     */
    class DeviceCopy {
    public:
        ~DeviceCopy();
        /**
         * The flow stage on the device: reads the [R, n] input buffer, writes the [R, n] output buffer, and returns
         * the per-replica numbers of batch on the host.
         */
        void proposeLatentMoves(LatentMoveBatch& batch);
        /** The device address (a CUdeviceptr) of the [R, n] input buffer of internal coordinates. */
        unsigned long long getInputBuffer() const;
        /** The device address (a CUdeviceptr) of the [R, n] output buffer of proposed internal coordinates. */
        unsigned long long getOutputBuffer() const;
    private:
        friend class TSFModel;
        struct Tensors;
        explicit DeviceCopy(Tensors* tensors);
        std::unique_ptr<Tensors> tensors;
    };
    /**
     * Copy the model to a CUDA device, with its IC buffers. Call it with the device's primary context current.
     *
     * @param deviceIndex       the CUDA device ordinal
     * @param numReplicas       R, the rows of the buffers
     * @param singlePrecision   whether the buffers hold float (else double), as the platform's IC arrays do
     * @throws OpenMMException if libtorch has no CUDA or the device cannot be used
     */
    std::unique_ptr<DeviceCopy> copyToDevice(int deviceIndex, int numReplicas, bool singlePrecision) const;
private:
    struct Module;
    std::unique_ptr<Module> module;
    int numDimensions, numAuxiliary;
    double trainingTemperature;
    bool temperatureConditioned;
};

} // namespace TSFPlugin

#endif /*OPENMM_TSF_MODEL_H_*/
