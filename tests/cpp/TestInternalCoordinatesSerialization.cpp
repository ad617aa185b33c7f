// SPDX-License-Identifier: MIT
/* XML round trip of a Z-matrix, and malformed XML. */
#include "TestMolecules.h"
#include "openmmtsf/InternalCoordinates.h"
#include "openmm/OpenMMException.h"
#include "openmm/serialization/XmlSerializer.h"
#include <gtest/gtest.h>
#include <memory>
#include <sstream>

using namespace TSFPlugin;
using namespace TSFTest;

namespace {

std::unique_ptr<InternalCoordinates> fromXml(const std::string& xml) {
    std::stringstream input(xml);
    return std::unique_ptr<InternalCoordinates>(OpenMM::XmlSerializer::deserialize<InternalCoordinates>(input));
}

std::string expectThrowMessage(const std::string& xml) {
    try {
        fromXml(xml);
    } catch (const OpenMM::OpenMMException& e) {
        return e.what();
    }
    ADD_FAILURE() << "no exception for " << xml;
    return "";
}

} // namespace

TEST(InternalCoordinatesSerialization, RoundTripKeepsRowsAndFixedBonds) {
    const TestMolecule molecule = alanineDipeptide();
    InternalCoordinates z = InternalCoordinates::createFromBonds(molecule.particles(), molecule.bonds, molecule.hydrogens);
    z.setFixedBondLength(5, 0.101);
    std::stringstream buffer;
    OpenMM::XmlSerializer::serialize<InternalCoordinates>(&z, "InternalCoordinates", buffer);
    const std::unique_ptr<InternalCoordinates> copy = fromXml(buffer.str());
    ASSERT_EQ(z.getNumAtoms(), copy->getNumAtoms());
    for (int row = 0; row < z.getNumAtoms(); row++) {
        int a[4], b[4];
        z.getAtom(row, a[0], a[1], a[2], a[3]);
        copy->getAtom(row, b[0], b[1], b[2], b[3]);
        for (int i = 0; i < 4; i++)
            EXPECT_EQ(a[i], b[i]);
        EXPECT_EQ(z.getFixedBondLength(row), copy->getFixedBondLength(row));
    }
    EXPECT_EQ(z.getNumInternalCoordinates(), copy->getNumInternalCoordinates());
}

TEST(InternalCoordinatesSerialization, MalformedXmlIsRejected) {
    const std::string head = "<?xml version=\"1.0\" ?>\n";
    EXPECT_NE(std::string::npos, expectThrowMessage(head + "<InternalCoordinates type=\"InternalCoordinates\" version=\"2\"><Atoms/></InternalCoordinates>").find("Unsupported version"));
    EXPECT_NE(std::string::npos, expectThrowMessage(head +
            "<InternalCoordinates type=\"InternalCoordinates\" version=\"1\"><Atoms><Atom p=\"0\" j=\"-1\" k=\"-1\" l=\"-1\" b0=\"0\"/>"
            "<Atom p=\"0\" j=\"0\" k=\"-1\" l=\"-1\" b0=\"0\"/></Atoms></InternalCoordinates>").find("placed twice"));
    EXPECT_FALSE(expectThrowMessage(head +
            "<InternalCoordinates type=\"InternalCoordinates\" version=\"1\"><Atoms><Atom p=\"0\" k=\"-1\" l=\"-1\" b0=\"0\"/></Atoms></InternalCoordinates>").empty());
    EXPECT_FALSE(expectThrowMessage(head + "<InternalCoordinates type=\"InternalCoordinates\" version=\"1\"><Atoms><Atom").empty());
    EXPECT_NE(std::string::npos, expectThrowMessage(head +
            "<InternalCoordinates type=\"InternalCoordinates\" version=\"1\"><Atoms><Atom p=\"0\" j=\"-1\" k=\"-1\" l=\"-1\" b0=\"0\"/>"
            "<Atom p=\"1\" j=\"0\" k=\"-1\" l=\"-1\" b0=\"inf\"/><Atom p=\"2\" j=\"1\" k=\"0\" l=\"-1\" b0=\"0\"/></Atoms>"
            "</InternalCoordinates>").find("positive and finite"));
}
