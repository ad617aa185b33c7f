// SPDX-License-Identifier: MIT
#ifndef OPENMM_TSF_MODEL_H_
#define OPENMM_TSF_MODEL_H_

#include <memory>
#include <string>
#include <vector>

namespace TSFPlugin {

/**
 * A loaded TorchScript flow that honours the model contract (docs/model-contract.md). This is the only
 * class that touches libtorch; its header does not include it.
 *
 * Arrays are row-major double precision on the host: z and x_ic are [B, n], q and p are [B, n_aux],
 * logdet is [B]. The model receives float64 tensors; its outputs may be of any floating type.
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
     * Run both methods on a small batch and check the shapes they return.
     *
     * @throws OpenMMException naming the method and output whose shape is wrong
     */
    void checkShapes() const;
    /** D: latent (z, q) -> (x_ic, p), with log|det dD/d(z, q)| per row. */
    void forward(int batch, const std::vector<double>& z, const std::vector<double>& q,
            std::vector<double>& x, std::vector<double>& p, std::vector<double>& logDet) const;
    /** D^-1: (x_ic, p) -> latent (z, q), with log|det dD^-1/d(x_ic, p)| per row. */
    void inverse(int batch, const std::vector<double>& x, const std::vector<double>& p,
            std::vector<double>& z, std::vector<double>& q, std::vector<double>& logDet) const;
private:
    /** Call forward or inverse on a batch: [B, n] and [B, n_aux] in, the same shapes and [B] out. */
    void runBatch(const char* method, int batch, const std::vector<double>& coordinates, const std::vector<double>& auxiliary,
            std::vector<double>& coordinatesOut, std::vector<double>& auxiliaryOut, std::vector<double>& logDet) const;
    struct Module;
    std::unique_ptr<Module> module;
    int numDimensions, numAuxiliary;
    double trainingTemperature;
};

} // namespace TSFPlugin

#endif /*OPENMM_TSF_MODEL_H_*/
