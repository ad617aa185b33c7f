// SPDX-License-Identifier: MIT
// Fuzz target: the plugin's serialization proxies (TSFForce, TSFIntegrator, InternalCoordinates), as
// XmlSerializer calls them on a file's parsed nodes. The input chooses a type and a list of edits to the node tree
// of a valid object: properties set to arbitrary text or awkward numbers, removed or added, the embedded model's
// base64 damaged, children removed or repeated. Every tree must deserialize or be refused with an exception.
// (The text-to-node parsing is OpenMM's XML reader, which is not under test here.)
#include "FuzzFixtures.h"
#include "openmmtsf/InternalCoordinates.h"
#include "openmmtsf/TSFForce.h"
#include "openmmtsf/TSFIntegrator.h"
#include "openmm/serialization/SerializationNode.h"
#include "openmm/serialization/SerializationProxy.h"
#include <fuzzer/FuzzedDataProvider.h>
#include <cstdint>
#include <memory>
#include <string>
#include <typeinfo>
#include <vector>

using OpenMM::SerializationNode;
using OpenMM::SerializationProxy;

namespace {

template <class T>
SerializationNode serialized(const T& object) {
    SerializationNode node;
    SerializationProxy::getProxy(typeid(T)).serialize(&object, node);
    return node;
}

template <class T>
void deserialize(const SerializationNode& node) {
    std::unique_ptr<T> object((T*) SerializationProxy::getProxy(typeid(T)).deserialize(node));
}

void collect(SerializationNode& node, std::vector<SerializationNode*>& nodes) {
    nodes.push_back(&node);
    for (SerializationNode& child : node.getChildren())
        collect(child, nodes);
}

/** Values that break parsers and bounds: text, signs, overflows, non-finite numbers. */
std::string awkwardValue(FuzzedDataProvider& input) {
    static const char* values[] = {"", "0", "-1", "1e308", "-1e308", "nan", "inf", "-inf", "2147483648", "-2147483649",
            "9223372036854775808", "1e-320", "0x10", " 3", "3 ", "1.5", "true", "AAAA", "===="};
    if (input.ConsumeBool())
        return values[input.ConsumeIntegralInRange<std::size_t>(0, sizeof(values) / sizeof(values[0]) - 1)];
    return input.ConsumeRandomLengthString(32);
}

void edit(SerializationNode& root, FuzzedDataProvider& input) {
    std::vector<SerializationNode*> nodes;
    collect(root, nodes);
    SerializationNode& node = *nodes[input.ConsumeIntegralInRange<std::size_t>(0, nodes.size() - 1)];
    std::vector<std::string> names;
    for (const auto& property : node.getProperties())
        names.push_back(property.first);
    const std::string name = names.empty() ? input.ConsumeRandomLengthString(8)
            : names[input.ConsumeIntegralInRange<std::size_t>(0, names.size() - 1)];
    switch (input.ConsumeIntegralInRange(0, 5)) {
    case 0:
        node.setStringProperty(name, awkwardValue(input));
        break;
    case 1: {
        SerializationNode without;
        without.setName(node.getName());
        for (const auto& property : node.getProperties())
            if (property.first != name)
                without.setStringProperty(property.first, property.second);
        without.getChildren() = node.getChildren();
        node = without;
        break;
    }
    case 2:
        if (!node.getChildren().empty())
            node.getChildren().erase(node.getChildren().begin() + input.ConsumeIntegralInRange<std::size_t>(0, node.getChildren().size() - 1));
        break;
    case 3:
        if (!node.getChildren().empty())
            node.getChildren().push_back(node.getChildren()[input.ConsumeIntegralInRange<std::size_t>(0, node.getChildren().size() - 1)]);
        break;
    case 4:
        node.setStringProperty(input.ConsumeRandomLengthString(8), awkwardValue(input));
        break;
    default: {
        // Damage a few characters of a long value (the embedded model's base64) in place.
        std::string value = node.getStringProperty(name, "");
        if (value.empty())
            break;
        for (int changes = input.ConsumeIntegralInRange(1, 4); changes > 0; changes--)
            value[input.ConsumeIntegralInRange<std::size_t>(0, value.size() - 1)] = input.ConsumeIntegral<char>();
        node.setStringProperty(name, value);
    }
    }
}

struct ValidTrees {
    SerializationNode force, integrator, zMatrix;
    ValidTrees() {
        TSFFuzz::CheckpointHarness harness;
        force = serialized(dynamic_cast<const TSFPlugin::TSFForce&>(harness.system->getForce(harness.system->getNumForces() - 1)));
        integrator = serialized(harness.integrator);
        zMatrix = serialized(TSFFuzz::chainZMatrix());
    }
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static TSFFuzz::InputCounter counter("FuzzXmlProxies");
    static const ValidTrees valid;
    FuzzedDataProvider input(data, size);
    const int type = input.ConsumeIntegralInRange(0, 2);
    SerializationNode root = type == 0 ? valid.force : type == 1 ? valid.integrator : valid.zMatrix;
    for (int edits = input.ConsumeIntegralInRange(0, 6); edits > 0 && input.remaining_bytes() > 0; edits--)
        edit(root, input);
    bool refused = false;
    try {
        if (type == 0)
            deserialize<TSFPlugin::TSFForce>(root);
        else if (type == 1)
            deserialize<TSFPlugin::TSFIntegrator>(root);
        else
            deserialize<TSFPlugin::InternalCoordinates>(root);
    } catch (const std::exception&) {
        refused = true;
    }
    counter.count(refused);
    return 0;
}
