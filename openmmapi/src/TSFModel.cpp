// SPDX-License-Identifier: MIT
/* The one translation unit that includes libtorch. */
#include "openmmtsf/internal/TSFModel.h"
#include "openmm/OpenMMException.h"
#include <torch/script.h>
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

/** The three tensors returned by a method, as a tuple (a, b, logdet). */
vector<torch::Tensor> callMethod(const torch::jit::Module& module, const char* name, const torch::Tensor& a, const torch::Tensor& b) {
    torch::jit::IValue result;
    try {
        result = const_cast<torch::jit::Module&>(module).get_method(name)({a, b});
    } catch (const std::exception& e) {
        throw OpenMMException(std::string("The TSF model's ") + name + "() failed: " + firstLine(e.what()));
    }
    if (!result.isTuple() || result.toTuple()->elements().size() != 3)
        throw OpenMMException(std::string("The TSF model's ") + name + "() must return a tuple of three tensors");
    vector<torch::Tensor> tensors;
    for (const auto& element : result.toTuple()->elements()) {
        if (!element.isTensor())
            throw OpenMMException(std::string("The TSF model's ") + name + "() must return a tuple of three tensors");
        tensors.push_back(element.toTensor());
    }
    return tensors;
}

/** A float64 [batch, width] tensor over the values (no copy; the model must not modify its inputs). */
torch::Tensor toTensor(const vector<double>& values, int batch, int width) {
    if (width == 0)
        return torch::zeros({batch, 0}, torch::kFloat64);
    return torch::from_blob(const_cast<double*>(values.data()), {batch, width}, torch::kFloat64);
}

void fromTensor(const torch::Tensor& tensor, vector<double>& values) {
    const torch::Tensor contiguous = tensor.to(torch::kFloat64).contiguous();
    values.assign(contiguous.data_ptr<double>(), contiguous.data_ptr<double>() + contiguous.numel());
}

} // namespace

TSFModel::TSFModel(const std::string& bytes) : module(new Module()) {
    std::istringstream stream(bytes);
    try {
        module->module = torch::jit::load(stream);
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

void TSFModel::checkShapes() const {
    const int batch = 2;
    torch::NoGradGuard noGrad;
    const torch::Tensor a = torch::zeros({batch, numDimensions}, torch::kFloat64), b = torch::zeros({batch, numAuxiliary}, torch::kFloat64);
    for (const char* method : {"forward", "inverse"}) {
        const vector<torch::Tensor> out = callMethod(module->module, method, a, b);
        const std::vector<int64_t> expected[3] = {{batch, numDimensions}, {batch, numAuxiliary}, {batch}};
        const char* names[3] = {"first", "second", "third (logdet)"};
        for (int i = 0; i < 3; i++)
            if (out[i].sizes() != c10::IntArrayRef(expected[i])) {
                std::stringstream s;
                s << "The TSF model's " << method << "() returned shape " << shapeOf(out[i]) << " for its " << names[i]
                  << " output on a batch of " << batch << "; the contract expects " << c10::IntArrayRef(expected[i]);
                throw OpenMMException(s.str());
            }
    }
}

void TSFModel::forward(int batch, const vector<double>& z, const vector<double>& q, vector<double>& x, vector<double>& p, vector<double>& logDet) const {
    runBatch("forward", batch, z, q, x, p, logDet);
}

void TSFModel::inverse(int batch, const vector<double>& x, const vector<double>& p, vector<double>& z, vector<double>& q, vector<double>& logDet) const {
    runBatch("inverse", batch, x, p, z, q, logDet);
}

void TSFModel::runBatch(const char* method, int batch, const vector<double>& coordinates, const vector<double>& auxiliary,
        vector<double>& coordinatesOut, vector<double>& auxiliaryOut, vector<double>& logDet) const {
    torch::NoGradGuard noGrad;
    const vector<torch::Tensor> out = callMethod(module->module, method, toTensor(coordinates, batch, numDimensions),
            toTensor(auxiliary, batch, numAuxiliary));
    fromTensor(out[0], coordinatesOut);
    fromTensor(out[1], auxiliaryOut);
    fromTensor(out[2], logDet);
}
