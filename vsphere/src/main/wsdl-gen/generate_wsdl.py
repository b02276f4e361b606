#!/usr/bin/env python3
"""Writes the vim25 WSDL for the operations cairn uses.

Inputs (both from Debian packages, see ../../../README.md):
  * the vim25 type schemas core-types.xsd, query-types.xsd, reflect-types.xsd, vim-types.xsd
    (python3-oslo.vmware, oslo_vmware/wsdl/<version>/), copied next to the output unchanged;
  * the method tables of python3-pyvmomi: CreateManagedType(...) calls in pyVmomi/_typeinfo_*.py
    (pyVmomi >= 7) or pyVmomi/{CoreTypes,QueryTypes,ServerObjects}.py (pyVmomi 6.7, Debian 12).
    Each method is (name, wsdlName, version, params, (flags, type, wsdlType), privilege, faults)
    with params (name, type, version, flags, privilege).

Outputs, in the shape of VMware's own SDK WSDL so wsimport yields VMware's class names:
  vim-messagetypes.xsd  <Op>RequestType = _this (ManagedObjectReference) + the parameters in order
  vim.wsdl              elements <Op>, <Op>Response (returnval), <Fault>Fault; messages
                        <Op>RequestMsg, <Op>ResponseMsg, <Fault>FaultMsg; port type VimPortType;
                        SOAP 1.1 document/literal binding VimBinding
  vimService.wsdl       service VimService, port VimPort

Every operation also declares RuntimeFault, as in VMware's WSDL (pyVmomi leaves it implicit).
Fails (exit 1) on an unknown operation name, a type missing from the schemas, or a name clash.
Only the Python standard library is used.
"""
import argparse
import glob
import os
import re
import sys
from xml.sax.saxutils import quoteattr

F_OPTIONAL = 4  # pyVmomi.VmomiSupport: F_LINK=1, F_LINKABLE=2, F_OPTIONAL=4, F_SECRET=8

XSD_FILES = ("core-types.xsd", "query-types.xsd", "reflect-types.xsd", "vim-types.xsd")

PRIMITIVES = {
    "boolean": "xsd:boolean", "byte": "xsd:byte", "short": "xsd:short", "int": "xsd:int",
    "long": "xsd:long", "float": "xsd:float", "double": "xsd:double", "string": "xsd:string",
    "anyType": "xsd:anyType", "vmodl.DateTime": "xsd:dateTime", "vmodl.URI": "xsd:anyURI",
    "vmodl.Binary": "xsd:base64Binary", "vmodl.TypeName": "xsd:string",
    "vmodl.MethodName": "xsd:string", "vmodl.PropertyPath": "xsd:string",
    "vmodl.ManagedObject": "vim25:ManagedObjectReference",
}


class _Ignore:
    """Stands in for newestVersions & co.: every attribute is a no-op callable."""

    def __getattr__(self, _name):
        return lambda *a, **k: None


def load_typeinfo(pyvmomi_dir):
    files = sorted(glob.glob(os.path.join(pyvmomi_dir, "_typeinfo_*.py")))
    if not files:
        files = [os.path.join(pyvmomi_dir, f)
                 for f in ("CoreTypes.py", "QueryTypes.py", "ServerObjects.py")]
    # Built into pyVmomi.VmomiSupport rather than declared in the tables.
    data_types = {"vmodl.DynamicData": "DynamicData", "vmodl.MethodFault": "MethodFault",
                  "vmodl.RuntimeFault": "RuntimeFault",
                  "vmodl.LocalizedMethodFault": "LocalizedMethodFault"}
    managed_types, methods = {}, {}

    def create_data_type(vmodl_name, wsdl_name, *_rest):
        data_types[vmodl_name] = wsdl_name

    def create_enum_type(vmodl_name, wsdl_name, *_rest):
        data_types[vmodl_name] = wsdl_name

    def create_managed_type(vmodl_name, wsdl_name, parent, version, props, meths, *_rest):
        managed_types[vmodl_name] = wsdl_name
        for m in meths or ():
            name, wsdl, _ver, params, ret, _priv, faults = m[:7]
            entry = (wsdl_name, tuple((p[0], p[1], p[3]) for p in params),
                     (ret[0], ret[1]), tuple(faults or ()))
            if wsdl in methods and methods[wsdl][1:] != entry[1:]:
                sys.exit("method %s defined twice with different signatures" % wsdl)
            methods[wsdl] = entry

    env = {
        "CreateDataType": create_data_type, "CreateEnumType": create_enum_type,
        "CreateManagedType": create_managed_type,
        "AddVersion": lambda *a, **k: None, "AddVersionParent": lambda *a, **k: None,
        "F_LINK": 1, "F_LINKABLE": 2, "F_OPTIONAL": F_OPTIONAL, "F_SECRET": 8,
        "newestVersions": _Ignore(), "stableVersions": _Ignore(), "publicVersions": _Ignore(),
        "oldestVersions": _Ignore(), "ltsVersions": _Ignore(), "dottedVersions": _Ignore(),
    }
    for path in files:
        with open(path, encoding="utf-8") as f:
            src = f.read()
        # The tables import their helpers from pyVmomi; the stubs above replace them.
        src = re.sub(r"^(from|import) .*$", "", src, flags=re.M)
        exec(compile(src, path, "exec"), dict(env))  # noqa: S102 - trusted, installed package
    return data_types, managed_types, methods


def schema_types(xsd_dir):
    names = set()
    for f in XSD_FILES:
        with open(os.path.join(xsd_dir, f), encoding="utf-8") as fh:
            names.update(re.findall(r'<(?:complexType|simpleType) name="([^"]+)"', fh.read()))
    return names


class Resolver:
    def __init__(self, data_types, managed_types, xsd_names):
        self.data_types, self.managed_types, self.xsd_names = data_types, managed_types, xsd_names

    def qname(self, vmodl_type, where):
        if vmodl_type in PRIMITIVES:
            return PRIMITIVES[vmodl_type]
        if vmodl_type in self.managed_types:
            return "vim25:ManagedObjectReference"
        wsdl = self.data_types.get(vmodl_type)
        if wsdl is None:
            sys.exit("%s: unknown type %s" % (where, vmodl_type))
        if wsdl not in self.xsd_names:
            sys.exit("%s: type %s (%s) is not in the schemas" % (where, wsdl, vmodl_type))
        return "vim25:" + wsdl

    def fault(self, vmodl_type, where):
        return self.qname(vmodl_type, where).split(":", 1)[1]


def element(name, vmodl_type, optional, resolver, where):
    is_array = vmodl_type.endswith("[]")
    base = vmodl_type[:-2] if is_array else vmodl_type
    attrs = 'name=%s type="%s"' % (quoteattr(name), resolver.qname(base, where))
    if optional:
        attrs += ' minOccurs="0"'
    if is_array:
        attrs += ' maxOccurs="unbounded"'
    return "<element %s />" % attrs


def read_operations(path):
    ops = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line:
                ops.append(line)
    if len(set(ops)) != len(ops):
        sys.exit("%s: duplicate operation names" % path)
    return ops


class Buffer:
    def __init__(self):
        self.parts = []

    def write(self, text):
        self.parts.append(text)

    def text(self):
        return "".join(self.parts)


CHANGED = []


def write_if_changed(path, text):
    """Leaves an unchanged file untouched, so wsimport's stale check skips a rebuild."""
    try:
        with open(path, encoding="utf-8") as f:
            if f.read() == text:
                return
    except FileNotFoundError:
        pass
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    CHANGED.append(path)


HEADER = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- Generated by cairn vsphere/src/main/wsdl-gen/generate_wsdl.py; do not edit. -->\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pyvmomi", required=True, help="directory of the pyVmomi package")
    ap.add_argument("--xsd", required=True, help="directory holding the vim25 *-types.xsd")
    ap.add_argument("--operations", required=True, help="file with one WSDL method name a line")
    ap.add_argument("--soap-action", required=True, help="SOAPAction of every operation")
    ap.add_argument("--out", required=True, help="output directory")
    args = ap.parse_args()

    data_types, managed_types, methods = load_typeinfo(args.pyvmomi)
    if not methods:
        sys.exit("no methods found in %s" % args.pyvmomi)
    resolver = Resolver(data_types, managed_types, schema_types(args.xsd))
    ops = read_operations(args.operations)
    unknown = [o for o in ops if o not in methods]
    if unknown:
        sys.exit("unknown operations in %s: %s" % (args.operations, ", ".join(unknown)))

    os.makedirs(args.out, exist_ok=True)
    for f in XSD_FILES:
        with open(os.path.join(args.xsd, f), encoding="utf-8") as fh:
            write_if_changed(os.path.join(args.out, f), fh.read())

    request_types, elements, messages, port_ops, binding_ops = [], [], [], [], []
    faults = {}
    request_type_names = set()
    for op in ops:
        _mo, params, (ret_flags, ret_type), op_faults = methods[op]
        # VMware names the request type after the method without "_Task" (CreateSnapshot_Task
        # takes a CreateSnapshotRequestType), so the Java class names match its binding.
        rt = (op[:-len("_Task")] if op.endswith("_Task") else op) + "RequestType"
        if rt in request_type_names or rt in resolver.xsd_names:
            sys.exit("%s: request type name %s clashes" % (op, rt))
        request_type_names.add(rt)
        fields = ['<element name="_this" type="vim25:ManagedObjectReference" />']
        fields += [element(n, t, flags & F_OPTIONAL, resolver, op) for n, t, flags in params]
        request_types.append(
            '   <complexType name="%s">\n      <sequence>\n%s\n      </sequence>\n   </complexType>'
            % (rt, "\n".join("         " + x for x in fields)))
        elements.append('<element name="%s" type="vim25:%s" />' % (op, rt))
        if ret_type == "void":
            response = "<complexType />"
        else:
            response = ("<complexType><sequence>%s</sequence></complexType>"
                        % element("returnval", ret_type, ret_flags & F_OPTIONAL, resolver, op))
        elements.append('<element name="%sResponse">%s</element>' % (op, response))

        op_fault_names = []
        for vt in ("vmodl.RuntimeFault",) + op_faults:
            name = resolver.fault(vt, op)
            if name not in op_fault_names:
                op_fault_names.append(name)
            faults[name] = True
        messages.append('<message name="%sRequestMsg"><part name="parameters" element="vim25:%s" /></message>' % (op, op))
        messages.append('<message name="%sResponseMsg"><part name="parameters" element="vim25:%sResponse" /></message>' % (op, op))
        port_ops.append(
            '<operation name="%s">\n      <input message="vim25:%sRequestMsg" />\n      <output message="vim25:%sResponseMsg" />\n%s\n    </operation>'
            % (op, op, op, "\n".join('      <fault name="%sFault" message="vim25:%sFaultMsg" />' % (f, f)
                                     for f in op_fault_names)))
        binding_ops.append(
            '<operation name="%s">\n      <soap:operation soapAction=%s style="document" />\n'
            '      <input><soap:body use="literal" /></input>\n      <output><soap:body use="literal" /></output>\n%s\n    </operation>'
            % (op, quoteattr(args.soap_action),
               "\n".join('      <fault name="%sFault"><soap:fault name="%sFault" use="literal" /></fault>' % (f, f)
                         for f in op_fault_names)))

    for f in sorted(faults):
        elements.append('<element name="%sFault" type="vim25:%s" />' % (f, f))
        messages.append('<message name="%sFaultMsg"><part name="fault" element="vim25:%sFault" /></message>' % (f, f))

    out = Buffer()
    out.write(HEADER)
    out.write('<schema targetNamespace="urn:vim25" xmlns="http://www.w3.org/2001/XMLSchema"'
              ' xmlns:vim25="urn:vim25" xmlns:xsd="http://www.w3.org/2001/XMLSchema"'
              ' elementFormDefault="qualified">\n')
    out.write('   <include schemaLocation="core-types.xsd" />\n')
    out.write("\n".join(request_types))
    out.write("\n</schema>\n")
    write_if_changed(os.path.join(args.out, "vim-messagetypes.xsd"), out.text())

    out = Buffer()
    out.write(HEADER)
    out.write('<definitions targetNamespace="urn:vim25" xmlns="http://schemas.xmlsoap.org/wsdl/"'
              ' xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:vim25="urn:vim25"'
              ' xmlns:xsd="http://www.w3.org/2001/XMLSchema">\n')
    out.write('  <types>\n    <schema targetNamespace="urn:vim25" xmlns="http://www.w3.org/2001/XMLSchema"'
              ' xmlns:vim25="urn:vim25" elementFormDefault="qualified">\n'
              '      <include schemaLocation="vim-messagetypes.xsd" />\n'
              '      <include schemaLocation="vim-types.xsd" />\n')
    out.write("".join("      %s\n" % e for e in elements))
    out.write("    </schema>\n  </types>\n")
    out.write("".join("  %s\n" % m for m in messages))
    out.write('  <portType name="VimPortType">\n')
    out.write("".join("    %s\n" % p for p in port_ops))
    out.write('  </portType>\n  <binding name="VimBinding" type="vim25:VimPortType">\n'
              '    <soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http" />\n')
    out.write("".join("    %s\n" % b for b in binding_ops))
    out.write("  </binding>\n</definitions>\n")
    write_if_changed(os.path.join(args.out, "vim.wsdl"), out.text())

    out = Buffer()
    out.write(HEADER)
    out.write('<definitions targetNamespace="urn:vim25Service" xmlns="http://schemas.xmlsoap.org/wsdl/"'
              ' xmlns:interface="urn:vim25" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/">\n'
              '  <import location="vim.wsdl" namespace="urn:vim25" />\n'
              '  <service name="VimService">\n'
              '    <port binding="interface:VimBinding" name="VimPort">\n'
              '      <soap:address location="https://localhost/sdk/vimService" />\n'
              '    </port>\n  </service>\n</definitions>\n')
    service = os.path.join(args.out, "vimService.wsdl")
    write_if_changed(service, out.text())
    if CHANGED:
        # wsimport's stale check looks only at the WSDL it is given, not at what it imports:
        # touch it so a changed vim.wsdl or schema is compiled again.
        os.utime(service, None)
    print("vim25 WSDL: %d operations, %d fault messages -> %s" % (len(ops), len(faults), args.out))


if __name__ == "__main__":
    main()
