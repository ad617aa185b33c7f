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
 * Arrays are row-major double precision on the host (or, for a device Stage, on its CUDA device): z and x_ic are
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
     * The flow stage of one integrator (see LatentMoveBatch): a copy of the model on the host or on a CUDA device,
     * and the bank of prior proposals that one flow call refills for every replica. A device stage also holds device
     * buffers for the IC batches; its CUDA calls run in the device's primary context on libtorch's current stream
     * and return when their results are complete, and the caller makes the primary context current around them.
     */
    class Stage {
    public:
        ~Stage();
        /**
         * The flow stage of one latent move of every replica on the host.
         *
         * @param batch           the draws in, the per-replica log-determinants and squared norms out
         * @param coordinates     [R, n]: the replicas' internal coordinates
         * @param newCoordinates  on exit, [R, n]: the proposed internal coordinates
         * @throws OpenMMException if the model fails or returns outputs of the wrong shape
         */
        void proposeOnHost(LatentMoveBatch& batch, const std::vector<double>& coordinates, std::vector<double>& newCoordinates);
        /**
         * The flow stage on the device: reads the [R, n] input buffer, writes the [R, n] output buffer, and returns
         * the per-replica numbers of batch on the host.
         */
        void proposeOnDevice(LatentMoveBatch& batch);
        /** The device address (a CUdeviceptr) of the [R, n] input buffer of internal coordinates. */
        unsigned long long getInputBuffer() const;
        /** The device address (a CUdeviceptr) of the [R, n] output buffer of proposed internal coordinates. */
        unsigned long long getOutputBuffer() const;
        /** Whether the stage runs a float32 copy of the model (TSFIntegrator::SinglePrecisionFlow). */
        bool isSinglePrecisionFlow() const;
    private:
        friend class TSFModel;
        struct Tensors;
        explicit Stage(Tensors* tensors);
        std::unique_ptr<Tensors> tensors;
    };
    /**
     * A flow stage on the host: it shares the model's weights, or runs a float32 copy of them.
     *
     * @param singlePrecisionFlow  whether to run a float32 copy of the model (TSFIntegrator::SinglePrecisionFlow)
     */
    std::unique_ptr<Stage> createHostStage(bool singlePrecisionFlow) const;
    /**
     * A flow stage on a CUDA device, with a copy of the model and device buffers for R rows of ICs. Call it with the
     * device's primary context current.
     *
     * @param deviceIndex       the CUDA device ordinal
     * @param numReplicas       R, the rows of the buffers
     * @param singlePrecision   whether the buffers hold float (else double), as the platform's IC arrays do
     * @param singlePrecisionFlow  whether the copy of the model is float32 (TSFIntegrator::SinglePrecisionFlow)
     * @throws OpenMMException if libtorch has no CUDA or the device cannot be used
     */
    std::unique_ptr<Stage> copyToDevice(int deviceIndex, int numReplicas, bool singlePrecision, bool singlePrecisionFlow) const;
private:
    struct Module;
    std::unique_ptr<Module> module;
    int numDimensions, numAuxiliary;
    double trainingTemperature;
    bool temperatureConditioned;
};

} // namespace TSFPlugin

#endif /*OPENMM_TSF_MODEL_H_*/
