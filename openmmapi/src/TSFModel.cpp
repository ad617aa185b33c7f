// SPDX-License-Identifier: MIT
/* The one translation unit that includes libtorch. */
#include "openmmtsf/internal/TSFModel.h"
#include "openmmtsf/internal/Checksums.h"
#include "openmm/OpenMMException.h"
#include <torch/cuda.h>
#include <torch/script.h>
#include <algorithm>
#include <cstdint>
#include <sstream>

using namespace TSFPlugin;
using OpenMM::OpenMMException;
using std::vector;

struct TSFModel::Module {
    torch::jit::Module module;
};

namespace {

std::string firstLine(const std::string& text) {
    return text.substr(0, text.find('\n'));
}

std::string shapeOf(const torch::Tensor& tensor) {
    std::stringstream s;
    s << tensor.sizes();
    return s.str();
}

int intAttribute(const torch::jit::Module& module, const std::string& name) {
    if (!module.hasattr(name) || !module.attr(name).isInt())
        throw OpenMMException("The TSF model has no integer attribute '" + name + "' (see docs/model-contract.md)");
    return module.attr(name).toInt();
}

/**
 * Call a method on a batch, with each row's temperature (kelvin, [B]) if that is defined, and check what it
 * returns: a tuple (a [B, n], b [B, n_aux], logdet [B]), each converted to float64 on the inputs' device.
 */
vector<torch::Tensor> callMethod(torch::jit::Module& module, const char* name, const torch::Tensor& a, const torch::Tensor& b,
        const torch::Tensor& temperatures) {
    torch::jit::IValue result;
    try {
        std::vector<torch::jit::IValue> inputs{a, b};
        if (temperatures.defined())
            inputs.push_back(temperatures);
        result = module.get_method(name)(inputs);
    } catch (const std::exception& e) {
        throw OpenMMException(std::string("The TSF model's ") + name + "() failed: " + firstLine(e.what()));
    }
    if (!result.isTuple() || result.toTuple()->elements().size() != 3)
        throw OpenMMException(std::string("The TSF model's ") + name + "() must return a tuple of three tensors");
    const int64_t batch = a.size(0);
    const std::vector<int64_t> expected[3] = {{batch, a.size(1)}, {batch, b.size(1)}, {batch}};
    const char* names[3] = {"first", "second", "third (logdet)"};
    vector<torch::Tensor> tensors;
    for (int i = 0; i < 3; i++) {
        const torch::jit::IValue& element = result.toTuple()->elements()[i];
        if (!element.isTensor())
            throw OpenMMException(std::string("The TSF model's ") + name + "() must return a tuple of three tensors");
        const torch::Tensor tensor = element.toTensor();
        if (tensor.sizes() != c10::IntArrayRef(expected[i])) {
            std::stringstream s;
            s << "The TSF model's " << name << "() returned shape " << shapeOf(tensor) << " for its " << names[i]
              << " output on a batch of " << batch << "; the contract expects " << c10::IntArrayRef(expected[i]);
            throw OpenMMException(s.str());
        }
        tensors.push_back(tensor.to(a.device(), torch::kFloat64));
    }
    return tensors;
}

/** A float64 [rows, width] tensor on the host over values (no copy; nothing writes to it). */
torch::Tensor hostTensor(const vector<double>& values, int64_t rows, int64_t width) {
    if (width == 0 || rows == 0)
        return torch::zeros({rows, width}, torch::kFloat64);
    return torch::from_blob(const_cast<double*>(values.data()), {rows, width}, torch::kFloat64);
}

/**
 * The flow stage of a latent move (LatentMoveBatch) on the device of `coordinates` ([R, n], float64): writes the
 * proposed coordinates [R, n] into `proposed` (converted to its type) and the per-replica numbers into batch.
 * Host draws cross to the device once; the per-replica numbers come back in one copy, which is ordered after the
 * write of the proposal and waits for it.
 */
void proposeOnDevice(torch::jit::Module& module, LatentMoveBatch& batch, const torch::Tensor& coordinates, int numAuxiliary,
        bool conditioned, torch::Tensor& proposed) {
    torch::InferenceMode inference;
    const int64_t R = batch.numReplicas, n = coordinates.size(1), na = numAuxiliary;
    const torch::Device device = coordinates.device();
    auto column = [&](const vector<double>& values) {
        return hostTensor(values, R, 1).to(device);
    };
    const torch::Tensor momenta = hostTensor(batch.momentumNoise, R, na).to(device) * column(batch.momentumScale);
    const torch::Tensor temperatures = conditioned ? hostTensor(batch.temperatures, R, 1).reshape({R}).to(device) : torch::Tensor();
    const vector<torch::Tensor> latent = callMethod(module, "inverse", coordinates, momenta, temperatures);
    const torch::Tensor noise = hostTensor(batch.proposalNoise, R, n + na).to(device);
    const torch::Tensor keep = column(batch.keep), scale = column(batch.proposalScale);
    const torch::Tensor newZ = keep * latent[0] + scale * noise.narrow(1, 0, n);
    const torch::Tensor newQ = keep * latent[1] + scale * noise.narrow(1, n, na);
    const vector<torch::Tensor> proposal = callMethod(module, "forward", newZ, newQ, temperatures);
    proposed.copy_(proposal[0]);
    auto squared = [](const torch::Tensor& t) {
        return t.square().sum(1);
    };
    const torch::Tensor numbers = torch::stack({latent[2], proposal[2], squared(momenta), squared(proposal[1]),
            squared(latent[0]) + squared(latent[1]), squared(newZ) + squared(newQ)}).to(torch::kCPU).contiguous();
    vector<double>* outputs[6] = {&batch.logDetInverse, &batch.logDetForward, &batch.momentumSquared, &batch.newMomentumSquared,
            &batch.latentSquared, &batch.newLatentSquared};
    for (int k = 0; k < 6; k++)
        std::copy(numbers[k].data_ptr<double>(), numbers[k].data_ptr<double>() + R, outputs[k]->data());
}

} // namespace

TSFModel::TSFModel(const std::string& bytes) : module(new Module()) {
    checkModelArchive(bytes);
    std::istringstream stream(bytes);
    try {
        module->module = torch::jit::load(stream, torch::Device(torch::kCPU));  // a model saved on a GPU loads anywhere
    } catch (const std::exception& e) {
        throw OpenMMException("Cannot load the TSF model: it is not a TorchScript module saved by torch.jit.save (" +
                firstLine(e.what()) + ")");
    }
    module->module.eval();
    for (const char* method : {"forward", "inverse"})
        if (!module->module.find_method(method))
            throw OpenMMException(std::string("The TSF model has no method '") + method + "' (see docs/model-contract.md)");
    numDimensions = intAttribute(module->module, "n_dims");
    numAuxiliary = intAttribute(module->module, "n_aux");
    if (numDimensions <= 0 || numAuxiliary < 0)
        throw OpenMMException("The TSF model needs n_dims > 0 and n_aux >= 0; it has n_dims = " + std::to_string(numDimensions) +
                " and n_aux = " + std::to_string(numAuxiliary));
    if (!module->module.hasattr("training_temperature") || !(module->module.attr("training_temperature").isDouble() ||
            module->module.attr("training_temperature").isInt()))
        throw OpenMMException("The TSF model has no float attribute 'training_temperature' (kelvin; see docs/model-contract.md)");
    trainingTemperature = module->module.attr("training_temperature").toScalar().toDouble();
    if (!(trainingTemperature > 0.0))
        throw OpenMMException("The TSF model's training_temperature must be positive (kelvin)");
    temperatureConditioned = false;
    if (module->module.hasattr("temperature_conditioned")) {
        if (!module->module.attr("temperature_conditioned").isBool())
            throw OpenMMException("The TSF model's temperature_conditioned attribute must be a bool (see docs/model-contract.md)");
        temperatureConditioned = module->module.attr("temperature_conditioned").toBool();
    }
    const size_t arguments = temperatureConditioned ? 4 : 3;  // self, then the inputs
    for (const char* method : {"forward", "inverse"}) {
        const size_t taken = module->module.get_method(method).function().getSchema().arguments().size();
        if (taken < arguments || (!temperatureConditioned && taken > arguments &&
                !module->module.get_method(method).function().getSchema().arguments()[3].default_value()))
            throw OpenMMException(std::string("The TSF model's ") + method + "() must take " + (temperatureConditioned ?
                    "(coordinates, momenta, temperatures), as a temperature-conditioned model" : "(coordinates, momenta)") +
                    " (see docs/model-contract.md)");
    }
}

TSFModel::~TSFModel() {
}

int TSFModel::getNumDimensions() const {
    return numDimensions;
}

int TSFModel::getNumAuxiliary() const {
    return numAuxiliary;
}

double TSFModel::getTrainingTemperature() const {
    return trainingTemperature;
}

bool TSFModel::isTemperatureConditioned() const {
    return temperatureConditioned;
}

void TSFModel::checkShapes() const {
    const int batch = 2;
    torch::InferenceMode inference;
    const torch::Tensor a = torch::zeros({batch, numDimensions}, torch::kFloat64), b = torch::zeros({batch, numAuxiliary}, torch::kFloat64);
    const torch::Tensor temperatures = temperatureConditioned ? torch::full({batch}, trainingTemperature, torch::kFloat64) : torch::Tensor();
    for (const char* method : {"forward", "inverse"})
        callMethod(module->module, method, a, b, temperatures);
}

void TSFModel::proposeLatentMoves(LatentMoveBatch& batch, const vector<double>& coordinates, vector<double>& newCoordinates) const {
    newCoordinates.resize(coordinates.size());
    torch::Tensor proposed = torch::from_blob(newCoordinates.data(), {batch.numReplicas, numDimensions}, torch::kFloat64);
    proposeOnDevice(module->module, batch, hostTensor(coordinates, batch.numReplicas, numDimensions), numAuxiliary,
            temperatureConditioned, proposed);
}

struct TSFModel::DeviceCopy::Tensors {
    torch::jit::Module module;
    int numAuxiliary;
    bool temperatureConditioned;
    torch::Tensor input, output;
};

TSFModel::DeviceCopy::DeviceCopy(Tensors* tensors) : tensors(tensors) {
}

TSFModel::DeviceCopy::~DeviceCopy() {
}

unsigned long long TSFModel::DeviceCopy::getInputBuffer() const {
    return reinterpret_cast<uintptr_t>(tensors->input.data_ptr());
}

unsigned long long TSFModel::DeviceCopy::getOutputBuffer() const {
    return reinterpret_cast<uintptr_t>(tensors->output.data_ptr());
}

void TSFModel::DeviceCopy::proposeLatentMoves(LatentMoveBatch& batch) {
    proposeOnDevice(tensors->module, batch, tensors->input.to(torch::kFloat64), tensors->numAuxiliary,
            tensors->temperatureConditioned, tensors->output);
}

std::unique_ptr<TSFModel::DeviceCopy> TSFModel::copyToDevice(int deviceIndex, int numReplicas, bool singlePrecision) const {
    if (!torch::cuda::is_available() || deviceIndex >= (int) torch::cuda::device_count())
        throw OpenMMException("The TSF model cannot move to CUDA device " + std::to_string(deviceIndex) +
                ": this libtorch sees " + std::to_string(torch::cuda::device_count()) + " CUDA devices");
    const torch::Device device(torch::kCUDA, deviceIndex);
    std::unique_ptr<DeviceCopy::Tensors> tensors(new DeviceCopy::Tensors());
    tensors->module = module->module.clone();
    tensors->module.to(device);
    tensors->module.eval();
    tensors->numAuxiliary = numAuxiliary;
    tensors->temperatureConditioned = temperatureConditioned;
    const auto options = torch::TensorOptions().device(device).dtype(singlePrecision ? torch::kFloat32 : torch::kFloat64);
    tensors->input = torch::zeros({numReplicas, numDimensions}, options);
    tensors->output = torch::zeros({numReplicas, numDimensions}, options);
    return std::unique_ptr<DeviceCopy>(new DeviceCopy(tensors.release()));
}
