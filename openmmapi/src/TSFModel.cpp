// SPDX-License-Identifier: MIT
/* The one translation unit that includes libtorch. */
#include "openmmtsf/internal/TSFModel.h"
#include "openmmtsf/internal/ModelArchive.h"
#include "openmm/OpenMMException.h"
#include <caffe2/serialize/versions.h>
#include <torch/cuda.h>
#include <torch/script.h>
#include <algorithm>
#include <cmath>
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

/**
 * The cause in a TorchScript interpreter error: its last "...Error: ..." line and what follows (the first line
 * only says that an operation failed), or the first line where there is none.
 */
std::string causeOf(const std::string& text) {
    size_t start = std::string::npos;
    for (size_t line = 0; line < text.size(); line = text.find('\n', line) + 1) {
        const size_t colon = text.find("Error: ", line);
        const size_t end = text.find('\n', line);
        if (colon != std::string::npos && colon < end && text.find(' ', line) > colon)
            start = line;
        if (end == std::string::npos)
            break;
    }
    if (start == std::string::npos)
        return firstLine(text);
    std::string cause = text.substr(start);
    std::replace(cause.begin(), cause.end(), '\n', ' ');
    return cause.substr(0, cause.find_last_not_of(' ') + 1);
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
 * returns: a tuple (a [B, n], b [B, n_aux], logdet [B]), each converted to float64 on the inputs' device. The inputs
 * are given to the model as `dtype`.
 */
vector<torch::Tensor> callMethod(torch::jit::Module& module, const char* name, const torch::Tensor& a, const torch::Tensor& b,
        const torch::Tensor& temperatures, torch::ScalarType dtype = torch::kFloat64) {
    torch::jit::IValue result;
    try {
        std::vector<torch::jit::IValue> inputs{a.to(dtype), b.to(dtype)};
        if (temperatures.defined())
            inputs.push_back(temperatures.to(dtype));
        result = module.get_method(name)(inputs);
    } catch (const std::exception& e) {
        throw OpenMMException(std::string("The TSF model's ") + name + "() failed: " + causeOf(e.what()));
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

} // namespace

TSFModel::TSFModel(const std::string& bytes) : module(new Module()) {
    const std::uint64_t version = checkModelArchive(bytes);
    if (version < caffe2::serialize::kMinSupportedFileFormatVersion || version > caffe2::serialize::kMaxSupportedFileFormatVersion)
        throw OpenMMException("Cannot load the TSF model: its file-format version " + std::to_string(version) +
                " is outside what this libtorch reads (" + std::to_string(caffe2::serialize::kMinSupportedFileFormatVersion) +
                " to " + std::to_string(caffe2::serialize::kMaxSupportedFileFormatVersion) + ")");
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
    if (!(trainingTemperature > 0.0) || !std::isfinite(trainingTemperature))
        throw OpenMMException("The TSF model's training_temperature must be positive and finite (kelvin), not " +
                std::to_string(trainingTemperature));
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

struct TSFModel::Stage::Tensors {
    torch::jit::Module module;
    /** The type of the model's inputs: float64, or float32 for a float32 copy of the model. */
    torch::ScalarType dtype = torch::kFloat64;
    int numAuxiliary;
    bool temperatureConditioned;
    /** The device buffers of a device stage: [R, n] ICs in, [R, n] proposed ICs out (undefined on the host). */
    torch::Tensor input, output;
    /** [R, K, n] float64 on the stage's device: the bank's proposed ICs. */
    torch::Tensor bankCoordinates;
    /** [R * K] each, on the host: log|det J_D|, |p'|^2 and |v'|^2 of the bank's proposals. */
    vector<double> bankLogDet, bankMomentumSquared, bankLatentSquared;

    /** The flow stage of a move (LatentMoveBatch) on the device of `coordinates` ([R, n], float64), into `proposed`. */
    void propose(LatentMoveBatch& batch, const torch::Tensor& coordinates, torch::Tensor& proposed);
    /** Refill the bank: K prior proposals per replica in one forward() call. */
    void refillBank(const LatentMoveBatch& batch, int64_t numDimensions, const torch::Device& device);
};

namespace {

torch::Tensor squaredNorms(const torch::Tensor& rows) {
    return rows.square().sum(1);
}

/** Copy the rows of a [k, R] float64 tensor, on any device, into k host arrays of R values, in one transfer. */
void copyRowsToHost(const torch::Tensor& rows, std::initializer_list<vector<double>*> outputs) {
    const torch::Tensor host = rows.to(torch::kCPU).contiguous();
    const int64_t width = host.size(1);
    int k = 0;
    for (vector<double>* output : outputs) {
        output->resize(width);
        std::copy(host[k].data_ptr<double>(), host[k].data_ptr<double>() + width, output->data());
        k++;
    }
}

/**
 * Copy the rows of a [k, m] float64 tensor, on any device, into k host arrays at the m given indices, in one
 * transfer.
 */
void copyRowsToHost(const torch::Tensor& rows, const vector<int64_t>& indices, std::initializer_list<vector<double>*> outputs) {
    const torch::Tensor host = rows.to(torch::kCPU).contiguous();
    int k = 0;
    for (vector<double>* output : outputs) {
        const double* values = host[k++].data_ptr<double>();
        for (size_t i = 0; i < indices.size(); i++)
            (*output)[indices[i]] = values[i];
    }
}

/** Row indices as an int64 tensor on the host (copied). */
torch::Tensor rowIndices(const vector<int64_t>& indices) {
    return torch::tensor(indices, torch::kInt64);
}

} // namespace

void TSFModel::Stage::Tensors::refillBank(const LatentMoveBatch& batch, int64_t n, const torch::Device& device) {
    const int64_t R = batch.numReplicas, K = batch.bankSize, na = numAuxiliary;
    const torch::Tensor noise = hostTensor(batch.bankNoise, R * K, n + na).to(device);
    const torch::Tensor scale = hostTensor(batch.momentumScale, R, 1).to(device).repeat_interleave(K, 0);
    const torch::Tensor z = scale * noise.narrow(1, 0, n), q = scale * noise.narrow(1, n, na);
    const torch::Tensor temperatures = temperatureConditioned ?
            hostTensor(batch.temperatures, R, 1).reshape({R}).to(device).repeat_interleave(K) : torch::Tensor();
    const vector<torch::Tensor> proposal = callMethod(module, "forward", z, q, temperatures, dtype);
    bankCoordinates = proposal[0].reshape({R, K, n});
    copyRowsToHost(torch::stack({proposal[2], squaredNorms(proposal[1]), squaredNorms(z) + squaredNorms(q)}),
            {&bankLogDet, &bankMomentumSquared, &bankLatentSquared});
}

void TSFModel::Stage::Tensors::propose(LatentMoveBatch& batch, const torch::Tensor& coordinates, torch::Tensor& proposed) {
    torch::InferenceMode inference;
    const int64_t R = batch.numReplicas, n = coordinates.size(1), na = numAuxiliary;
    const torch::Device device = coordinates.device();
    // Only the rows that need them go through the flow: the inverse where the current latent point is needed, the
    // forward for random-walk moves (a subset of those), the bank for prior moves.
    vector<int64_t> inverseRows, walkRows, walkPositions, bankRows;
    for (int r = 0; r < R; r++) {
        if (batch.inverse[r])
            inverseRows.push_back(r);
        if (batch.fromBank[r])
            bankRows.push_back(r);
        else if (!batch.inverse[r])
            throw OpenMMException("TSFIntegrator: a random-walk move needs the inverse flow");
        else {
            walkRows.push_back(r);
            walkPositions.push_back(inverseRows.size() - 1);
        }
    }
    if (batch.refillBank)
        refillBank(batch, n, device);
    if (!bankRows.empty() && !bankCoordinates.defined())
        throw OpenMMException("TSFIntegrator: a prior move asked for the bank of proposals before it was filled");
    if (!inverseRows.empty()) {
        const torch::Tensor rows = rowIndices(inverseRows), rowsHere = rows.to(device);
        const torch::Tensor temperatures = temperatureConditioned ?
                hostTensor(batch.temperatures, R, 1).reshape({R}).index_select(0, rows).to(device) : torch::Tensor();
        const torch::Tensor momenta = (hostTensor(batch.momentumNoise, R, na) * hostTensor(batch.momentumScale, R, 1))
                .index_select(0, rows).to(device);
        const vector<torch::Tensor> latent = callMethod(module, "inverse", coordinates.index_select(0, rowsHere), momenta,
                temperatures, dtype);
        copyRowsToHost(torch::stack({latent[2], squaredNorms(momenta), squaredNorms(latent[0]) + squaredNorms(latent[1])}),
                inverseRows, {&batch.logDetInverse, &batch.momentumSquared, &batch.latentSquared});
        if (!walkRows.empty()) {
            const torch::Tensor walk = rowIndices(walkRows), walkHere = walk.to(device);
            const torch::Tensor positions = rowIndices(walkPositions).to(device);
            const torch::Tensor noise = hostTensor(batch.proposalNoise, R, n + na).index_select(0, walk).to(device);
            const torch::Tensor scale = hostTensor(batch.proposalScale, R, 1).index_select(0, walk).to(device);
            const torch::Tensor newZ = latent[0].index_select(0, positions) + scale * noise.narrow(1, 0, n);
            const torch::Tensor newQ = latent[1].index_select(0, positions) + scale * noise.narrow(1, n, na);
            const vector<torch::Tensor> proposal = callMethod(module, "forward", newZ, newQ,
                    temperatureConditioned ? temperatures.index_select(0, positions) : torch::Tensor(), dtype);
            proposed.index_copy_(0, walkHere, proposal[0].to(proposed.dtype()));
            copyRowsToHost(torch::stack({proposal[2], squaredNorms(proposal[1]), squaredNorms(newZ) + squaredNorms(newQ)}),
                    walkRows, {&batch.logDetForward, &batch.newMomentumSquared, &batch.newLatentSquared});
        }
    }
    if (bankRows.empty())
        return;
    const torch::Tensor banked = bankCoordinates.select(1, batch.bankIndex);
    if ((int64_t) bankRows.size() == R)
        proposed.copy_(banked);
    else {
        const torch::Tensor rows = rowIndices(bankRows).to(device);
        proposed.index_copy_(0, rows, banked.index_select(0, rows).to(proposed.dtype()));
    }
    const size_t K = batch.bankSize;
    for (int64_t r : bankRows) {
        batch.logDetForward[r] = bankLogDet[r * K + batch.bankIndex];
        batch.newMomentumSquared[r] = bankMomentumSquared[r * K + batch.bankIndex];
        batch.newLatentSquared[r] = bankLatentSquared[r * K + batch.bankIndex];
    }
}

TSFModel::Stage::Stage(Tensors* tensors) : tensors(tensors) {
}

TSFModel::Stage::~Stage() {
}

void TSFModel::Stage::proposeOnHost(LatentMoveBatch& batch, const vector<double>& coordinates, vector<double>& newCoordinates) {
    const int64_t n = coordinates.size() / std::max(batch.numReplicas, 1);
    newCoordinates.resize(coordinates.size());
    torch::Tensor proposed = torch::from_blob(newCoordinates.data(), {batch.numReplicas, n}, torch::kFloat64);
    tensors->propose(batch, hostTensor(coordinates, batch.numReplicas, n), proposed);
}

void TSFModel::Stage::proposeOnDevice(LatentMoveBatch& batch) {
    if (!tensors->input.defined())
        throw OpenMMException("TSFModel: proposeOnDevice() needs a device stage");
    tensors->propose(batch, tensors->input.to(torch::kFloat64), tensors->output);
    torch::cuda::synchronize(tensors->input.device().index());  // the proposal is complete before OpenMM reads it
}

unsigned long long TSFModel::Stage::getInputBuffer() const {
    return reinterpret_cast<uintptr_t>(tensors->input.data_ptr());
}

unsigned long long TSFModel::Stage::getOutputBuffer() const {
    return reinterpret_cast<uintptr_t>(tensors->output.data_ptr());
}

bool TSFModel::Stage::isSinglePrecisionFlow() const {
    return tensors->dtype == torch::kFloat32;
}

namespace {

/**
 * A float32 copy of a module, for TSFIntegrator::SinglePrecisionFlow: its floating-point parameters and buffers in
 * float32, the others (masks, indices) as they are.
 */
torch::jit::Module singlePrecisionCopy(const torch::jit::Module& module) {
    torch::jit::Module copy = module.clone();
    for (torch::jit::Module submodule : copy.modules())
        for (const torch::jit::NameValue& attribute : submodule.named_attributes(false))
            if (attribute.value.isTensor() && attribute.value.toTensor().is_floating_point())
                submodule.setattr(attribute.name, attribute.value.toTensor().to(torch::kFloat32));
    copy.eval();
    return copy;
}

} // namespace

std::unique_ptr<TSFModel::Stage> TSFModel::createHostStage(bool singlePrecisionFlow) const {
    std::unique_ptr<Stage::Tensors> tensors(new Stage::Tensors());
    tensors->module = singlePrecisionFlow ? singlePrecisionCopy(module->module) : module->module;
    tensors->dtype = singlePrecisionFlow ? torch::kFloat32 : torch::kFloat64;
    tensors->numAuxiliary = numAuxiliary;
    tensors->temperatureConditioned = temperatureConditioned;
    return std::unique_ptr<Stage>(new Stage(tensors.release()));
}

std::unique_ptr<TSFModel::Stage> TSFModel::copyToDevice(int deviceIndex, int numReplicas, bool singlePrecision,
        bool singlePrecisionFlow) const {
    if (!torch::cuda::is_available() || deviceIndex >= (int) torch::cuda::device_count())
        throw OpenMMException("The TSF model cannot move to CUDA device " + std::to_string(deviceIndex) +
                ": this libtorch sees " + std::to_string(torch::cuda::device_count()) + " CUDA devices");
    const torch::Device device(torch::kCUDA, deviceIndex);
    std::unique_ptr<Stage::Tensors> tensors(new Stage::Tensors());
    tensors->module = singlePrecisionFlow ? singlePrecisionCopy(module->module) : module->module.clone();
    tensors->module.to(device);
    tensors->module.eval();
    tensors->dtype = singlePrecisionFlow ? torch::kFloat32 : torch::kFloat64;
    tensors->numAuxiliary = numAuxiliary;
    tensors->temperatureConditioned = temperatureConditioned;
    const auto options = torch::TensorOptions().device(device).dtype(singlePrecision ? torch::kFloat32 : torch::kFloat64);
    tensors->input = torch::zeros({numReplicas, numDimensions}, options);
    tensors->output = torch::zeros({numReplicas, numDimensions}, options);
    return std::unique_ptr<Stage>(new Stage(tensors.release()));
}
